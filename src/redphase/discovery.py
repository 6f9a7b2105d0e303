"""Which `.feature` files a command works on."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from redphase.diagnostics import UsageError

SKIPPED_DIRS = {"node_modules", "__pycache__", "_redphase", "venv", "site-packages"}


def find_features(paths: Iterable[Path]) -> list[Path]:
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for directory, subdirs, files in os.walk(path):
                subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in SKIPPED_DIRS)
                for name in sorted(files):
                    if name.endswith(".feature"):
                        found.setdefault(Path(directory) / name)
        elif path.is_file() or path.is_symlink():
            found.setdefault(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(found)
