"""A fingerprint of a whole scaffold run, so that re-scaffolding an unchanged project is nearly free.

The key covers everything the output depends on: redphase's version, the templates, the
configuration, the feature files given (names and bytes), and every file under the tests folder
(names and bytes), as they are after the run. Any change to any of them misses the cache. The cache
lives in `.redphase_cache/` at the project root and is safe to delete at any time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from redphase import __version__
from redphase.config import Config

if TYPE_CHECKING:
    from hashlib import blake2b as Digest

CACHE_DIR = ".redphase_cache"
_SKIPPED = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}


@dataclass(frozen=True)
class CachedRun:
    features: int
    scenarios: int
    diagnostics: list[str]


def _new_digest() -> Digest:
    # BLAKE2 is built into CPython; hashlib would load OpenSSL first, a fifth of an unchanged run.
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import blake2b
    return blake2b(digest_size=32)


def fingerprint(config: Config, features: Sequence[Path]) -> str:
    from redphase.render.templates import templates_root

    digest = _new_digest()
    digest.update(__version__.encode())
    settings = (
        config.features,
        config.tests,
        config.system,
        config.app_packages,
        config.components,
        config.bdd_features_base_dir,
    )
    digest.update(repr(settings).encode())
    _add_tree(digest, templates_root() / "scaffold", templates_root() / "scaffold")
    for path in sorted(features):
        _add_file(digest, path, config.root)
    _add_tree(digest, config.tests, config.root)
    return digest.hexdigest()


def _add_tree(digest: Digest, folder: Path, root: Path) -> None:
    if not folder.is_dir():
        digest.update(b"<no folder>")
        return
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIPPED)
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                _add_file(digest, Path(directory) / name, root)


def _add_file(digest: Digest, path: Path, root: Path) -> None:
    digest.update(os.fsencode(os.path.relpath(path, root)) + b"\0")
    try:
        digest.update(path.read_bytes())
    except OSError:
        digest.update(b"<unreadable>")
    digest.update(b"\0")


def _cache_file(config: Config) -> Path:
    return config.root / CACHE_DIR / "scaffold.json"


def exists(config: Config) -> bool:
    return _cache_file(config).is_file()


def load(config: Config, key: str) -> CachedRun | None:
    try:
        data = json.loads(_cache_file(config).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != key:
        return None
    return CachedRun(
        int(data["features"]), int(data["scenarios"]), [str(line) for line in data["diagnostics"]]
    )


def store(config: Config, key: str, run: CachedRun) -> None:
    from redphase.write.files import write_atomically

    folder = config.root / CACHE_DIR
    if not (folder / ".gitignore").exists():
        write_atomically(
            folder / ".gitignore", "# Created by redphase: a cache that is safe to delete.\n*\n", config.root
        )
    document = {
        "fingerprint": key,
        "features": run.features,
        "scenarios": run.scenarios,
        "diagnostics": run.diagnostics,
    }
    write_atomically(_cache_file(config), json.dumps(document, indent=1) + "\n", config.root)
