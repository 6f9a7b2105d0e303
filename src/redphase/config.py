"""One `Config`, built from `[tool.redphase]` in pyproject.toml and then the command-line flags."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import field, replace
from pathlib import Path
from typing import Any

from redphase.diagnostics import UsageError
from redphase.formatter_settings import Formatting, load_formatting
from redphase.frozen import frozen
from redphase.pytest_settings import default_tests_folder, setting

COMPONENT_KINDS = ("external", "own", "database", "cache", "queue", "clock")
TREATMENTS = ("fake", "real", "isolated")


@frozen
class ComponentOverride:
    name: str
    kind: str | None = None
    treatment: str | None = None
    words: tuple[str, ...] = ()


@frozen
class Config:
    root: Path
    features: Path
    tests: Path
    system: str = ""
    app_packages: tuple[str, ...] = ()
    components: tuple[ComponentOverride, ...] = ()
    # pytest-bdd resolves feature paths against this when it is set in the pytest ini options.
    bdd_features_base_dir: Path | None = None
    source: str = "defaults"
    # The features and tests folders as written, and whether a flag wrote them: the run cache
    # checks an unchanged project from these without loading the configuration.
    folder_settings: tuple[str, str] = ("features", "tests")
    folders_from_flags: bool = False
    formatting: Formatting = field(default_factory=Formatting)
    # Scaffold wires a step to its best candidate call when its confidence reaches the threshold.
    wire: bool = True
    wire_threshold: float = 0.5
    # verify finds steps through redphase's index of them (pytest-bdd's own lookup when False).
    step_index: bool = True

    def with_flags(self, **flags: Any) -> Config:
        changes = {key: value for key, value in flags.items() if value is not None}
        settings = dict(zip(("features", "tests"), self.folder_settings, strict=True))
        for key in ("features", "tests"):
            if key in changes:
                settings[key] = str(changes[key])
                changes[key] = _inside(self.root, Path(changes[key]), key)
                changes["folders_from_flags"] = True
        changes["folder_settings"] = (settings["features"], settings["tests"])
        return replace(self, **changes)


def load_config(root: Path) -> Config:
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    data: dict[str, Any] = {}
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise UsageError(f"{pyproject}: cannot read TOML: {error}") from error
    section = data.get("tool", {}).get("redphase", {})
    if not isinstance(section, dict):
        raise UsageError(f"{pyproject}: [tool.redphase] must be a table")
    known = {"features", "tests", "system", "app", "components", "wire", "wire-threshold", "step-index"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise UsageError(
            f"{pyproject}: unknown [tool.redphase] keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    # pytest-bdd reads it from pytest's settings file, whichever that is.
    base_dir = setting(str(root), "bdd_features_base_dir", data)
    features = _text(section, "features", "features")
    tests = _text(section, "tests", "") or default_tests_folder(str(root), data)
    return Config(
        root=root,
        features=_inside(root, Path(features), "features"),
        tests=_inside(root, Path(tests), "tests"),
        folder_settings=(features, tests),
        system=_text(section, "system", ""),
        app_packages=tuple(_strings(section, "app")),
        components=tuple(_components(section.get("components", {}), pyproject)),
        bdd_features_base_dir=(root / base_dir).resolve() if isinstance(base_dir, str) and base_dir else None,
        # Relative, because it ends up in generated text, which must not depend on where the project is.
        source=pyproject.name if section else "defaults",
        formatting=load_formatting(data, pyproject),
        wire=_flag(section, "wire", True),
        wire_threshold=_fraction(section, "wire-threshold", 0.5),
        step_index=_flag(section, "step-index", True),
    )


def _inside(root: Path, path: Path, what: str) -> Path:
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root):
        raise UsageError(f"{what} folder {path} resolves outside the project {root}")
    return resolved


def _text(section: Mapping[str, Any], key: str, default: str) -> str:
    value = section.get(key, default)
    if not isinstance(value, str):
        raise UsageError(f"[tool.redphase] {key} must be a string, got {type(value).__name__}")
    return value


def _flag(section: Mapping[str, Any], key: str, default: bool) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise UsageError(f"[tool.redphase] {key} must be true or false, got {value!r}")
    return value


def _fraction(section: Mapping[str, Any], key: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise UsageError(f"[tool.redphase] {key} must be a number from 0 to 1, got {value!r}")
    return float(value)


def _strings(section: Mapping[str, Any], key: str) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UsageError(f"[tool.redphase] {key} must be a string or a list of strings")
    return list(value)


def _components(raw: Any, pyproject: Path) -> list[ComponentOverride]:
    if not isinstance(raw, dict):
        raise UsageError(f"{pyproject}: [tool.redphase.components] must be a table of tables")
    overrides = []
    for name, spec in sorted(raw.items()):
        if not isinstance(spec, dict):
            raise UsageError(f"{pyproject}: [tool.redphase.components.{name}] must be a table")
        kind = spec.get("kind")
        treatment = spec.get("treatment")
        if kind is not None and kind not in COMPONENT_KINDS:
            raise UsageError(
                f"{pyproject}: components.{name}.kind must be one of {', '.join(COMPONENT_KINDS)}"
            )
        if treatment is not None and treatment not in TREATMENTS:
            raise UsageError(
                f"{pyproject}: components.{name}.treatment must be one of {', '.join(TREATMENTS)}"
            )
        words = spec.get("words", [])
        if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
            raise UsageError(f"{pyproject}: components.{name}.words must be a list of strings")
        overrides.append(ComponentOverride(str(name), kind, treatment, tuple(word.lower() for word in words)))
    return overrides
