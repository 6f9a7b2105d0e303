"""One `Config`, built from `[tool.redphase]` in pyproject.toml and then the command-line flags."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from redphase.diagnostics import UsageError

COMPONENT_KINDS = ("external", "own", "database", "cache", "queue", "clock")
TREATMENTS = ("fake", "real", "isolated")


@dataclass(frozen=True)
class ComponentOverride:
    name: str
    kind: str | None = None
    treatment: str | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Formatting:
    """The project's formatter and its settings: `[tool.black]`, else `[tool.ruff]`, else black's defaults.

    Read from pyproject.toml without importing either formatter. `target_versions` are as configured
    (black's list, or ruff's one minimum version); when there are none, black infers them from
    `requires_python` as its own command line does.
    """

    tool: str = "black"  # "black" or "ruff"
    source: str = "defaults"  # "[tool.black]", "[tool.ruff]" or "defaults"
    line_length: int = 88
    target_versions: tuple[str, ...] = ()
    skip_string_normalization: bool = False
    skip_magic_trailing_comma: bool = False
    quote_style: str = "double"  # ruff's: "double", "single" or "preserve"
    preview: bool = False
    requires_python: str | None = None


@dataclass(frozen=True)
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
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The features and tests folders as written, and whether a flag wrote them: the run cache
    # checks an unchanged project from these without loading the configuration.
    folder_settings: tuple[str, str] = ("features", "tests")
    folders_from_flags: bool = False
    formatting: Formatting = Formatting()

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


def find_project_root(start: Path) -> Path:
    from redphase.project.root import find_root

    return Path(find_root(str(start)))


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
    known = {"features", "tests", "system", "app", "components"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise UsageError(
            f"{pyproject}: unknown [tool.redphase] keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    ini = data.get("tool", {}).get("pytest", {}).get("ini_options", {})
    base_dir = ini.get("bdd_features_base_dir") if isinstance(ini, dict) else None
    features, tests = _text(section, "features", "features"), _text(section, "tests", "tests")
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
    )


QUOTE_STYLES = ("double", "single", "preserve")


def load_formatting(data: Mapping[str, Any], pyproject: Path) -> Formatting:
    """The formatter settings in a parsed pyproject.toml: when both are configured, `[tool.black]` decides."""
    tools = data.get("tool", {})
    project = data.get("project", {})
    requires = project.get("requires-python") if isinstance(project, dict) else None
    requires_python = requires if isinstance(requires, str) else None
    black, ruff = tools.get("black"), tools.get("ruff")
    if isinstance(black, dict):
        # black accepts its options spelled with dashes or underscores.
        options = {str(key).replace("-", "_"): value for key, value in black.items()}
        targets = options.get("target_version", [])
        targets = [targets] if isinstance(targets, str) else targets
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise UsageError(f"{pyproject}: [tool.black] target-version must be a list of strings")
        ssn = _flag(options, "skip_string_normalization", "[tool.black]", pyproject)
        return Formatting(
            tool="black",
            source="[tool.black]",
            line_length=_line_length(options.get("line_length", 88), "[tool.black]", pyproject),
            target_versions=tuple(target.lower() for target in targets),
            skip_string_normalization=ssn,
            skip_magic_trailing_comma=_flag(options, "skip_magic_trailing_comma", "[tool.black]", pyproject),
            quote_style="preserve" if ssn else "double",
            preview=_flag(options, "preview", "[tool.black]", pyproject),
            requires_python=requires_python,
        )
    if isinstance(ruff, dict):
        section = ruff.get("format", {})
        if not isinstance(section, dict):
            raise UsageError(f"{pyproject}: [tool.ruff.format] must be a table")
        options = {str(key).replace("-", "_"): value for key, value in section.items()}
        quote_style = options.get("quote_style", "double")
        if quote_style not in QUOTE_STYLES:
            raise UsageError(
                f"{pyproject}: [tool.ruff.format] quote-style must be one of {', '.join(QUOTE_STYLES)}"
            )
        target = ruff.get("target-version")
        return Formatting(
            tool="ruff",
            source="[tool.ruff]",
            line_length=_line_length(ruff.get("line-length", 88), "[tool.ruff]", pyproject),
            target_versions=(target.lower(),) if isinstance(target, str) else (),
            skip_string_normalization=quote_style == "preserve",
            skip_magic_trailing_comma=_flag(
                options, "skip_magic_trailing_comma", "[tool.ruff.format]", pyproject
            ),
            quote_style=quote_style,
            # [tool.ruff] preview applies to the formatter unless [tool.ruff.format] says otherwise.
            preview=_flag(options, "preview", "[tool.ruff.format]", pyproject)
            if "preview" in options
            else _flag(ruff, "preview", "[tool.ruff]", pyproject),
            requires_python=requires_python,
        )
    return Formatting(requires_python=requires_python)


def _line_length(value: Any, table: str, pyproject: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{pyproject}: {table} line-length must be a positive integer, got {value!r}")
    return value


def _flag(options: Mapping[str, Any], key: str, table: str, pyproject: Path) -> bool:
    value = options.get(key, False)
    if not isinstance(value, bool):
        raise UsageError(f"{pyproject}: {table} {key.replace('_', '-')} must be true or false")
    return value


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
