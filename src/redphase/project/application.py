"""Where a package or module that `[tool.redphase] app` names lives in the project."""

from __future__ import annotations

from pathlib import Path


def configured_location(root: Path, name: str) -> Path | None:
    """The folder or `.py` file of the dotted `name`, under `src/` first, then the project root."""
    for base in (root / "src", root):
        candidate = base / name.replace(".", "/")
        if candidate.is_dir():
            return candidate
        if candidate.with_suffix(".py").is_file():
            return candidate.with_suffix(".py")
    return None
