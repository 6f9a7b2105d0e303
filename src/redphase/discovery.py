"""Which `.feature` files a command works on."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

SKIPPED_DIRS = {"node_modules", "__pycache__", "_redphase", "venv", "site-packages"}


def find_features(paths: Iterable[Path]) -> list[Path]:
    from pathlib import Path

    from redphase.diagnostics import UsageError

    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for name in feature_files(str(path)):
                found.setdefault(Path(name))
        elif path.is_file() or path.is_symlink():
            found.setdefault(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(found)


def feature_files(folder: str) -> list[str]:
    """Every `.feature` file under `folder`, in a stable order; hidden and tool folders are skipped."""
    found = []
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        found += [os.path.join(directory, name) for name in sorted(files) if name.endswith(".feature")]
    return found
