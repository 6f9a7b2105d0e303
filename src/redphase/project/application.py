"""Where a package or module that `[tool.redphase] app` names lives: in the project, or installed."""

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


def installed_location(name: str) -> list[Path]:
    """Where this interpreter finds package or module `name` installed: its folder, or its file."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    if spec is None or spec.origin is None:
        return []
    origin = Path(spec.origin)
    return [origin.parent if origin.name == "__init__.py" else origin]
