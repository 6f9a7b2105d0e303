"""The project's formatter settings, read from pyproject.toml: one `Formatting` on `Config`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from redphase.diagnostics import UsageError
from redphase.frozen import frozen


@frozen
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
