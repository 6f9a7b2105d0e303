"""Where each generated file lives. One rule per file kind, so scaffold and merge always agree."""

from __future__ import annotations

import os
from pathlib import Path

from redphase.config import Config
from redphase.identifiers import identifier, shorten

STEP_DEFS_DIR = "step_defs"
GENERATED_DIR = "_redphase"


def display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def feature_slug(feature: Path, config: Config) -> str:
    base = config.features if feature.is_relative_to(config.features) else config.root
    relative = (
        feature.relative_to(base).with_suffix("") if feature.is_relative_to(base) else Path(feature.stem)
    )
    return shorten(identifier("_".join(relative.parts), fallback="feature"), 60)


def test_module(slug: str, config: Config) -> Path:
    return config.tests / f"test_{slug}.py"


def steps_module(slug: str, config: Config) -> Path:
    return config.tests / STEP_DEFS_DIR / f"{slug}_steps.py"


def runnable_copy(feature: Path, config: Config) -> Path:
    relative = feature.relative_to(config.root) if feature.is_relative_to(config.root) else Path(feature.name)
    return config.tests / GENERATED_DIR / relative


def markers_file(config: Config) -> Path:
    return config.tests / GENERATED_DIR / "markers.txt"


def conftest(config: Config) -> Path:
    return config.tests / "conftest.py"


def health_module(config: Config) -> Path:
    return config.tests / "test_harness_health.py"


def binding(feature: Path, module: Path, config: Config) -> str:
    """The path pytest-bdd resolves to `feature` from `module`, honouring `bdd_features_base_dir`."""
    base = config.bdd_features_base_dir or module.parent
    return Path(os.path.relpath(feature, base)).as_posix()
