"""The versions of black and ruff installed beside redphase, from their dist-info folders' names.

Neither tool is imported (importing black costs more than a small scaffold) and neither is
importlib.metadata: one listing of each folder on sys.path, cheap enough for the start-up path that
answers an unchanged re-scaffold from the run cache.
"""

from __future__ import annotations

import os
import sys

FORMATTERS = ("black", "ruff")
_found: dict[str, str] = {}


def version(distribution: str) -> str | None:
    """`distribution`'s version as installed for this interpreter (one of FORMATTERS), or None."""
    if not _found:
        _found.update(_scan())
        _found.setdefault("", "")  # scanned, even when neither is installed
    return _found.get(distribution)


def _scan() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:  # a zip file, or a folder gone
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            distribution, _, rest = name.removesuffix(".dist-info").partition("-")
            # The first one on sys.path is the one `import` finds.
            if distribution.lower() in FORMATTERS and distribution.lower() not in found:
                found[distribution.lower()] = rest
        if len(found) == len(FORMATTERS):
            break
    return found


def release(text: str | None) -> tuple[int, int] | None:
    """(major, minor) of a version such as "24.1.0" or "25.1.1.dev3+g1234"; None if it has no such form."""
    parts = (text or "").split(".")
    if len(parts) < 2 or not parts[0].isdigit():
        return None
    minor = parts[1]
    digits = len(minor) - len(minor.lstrip("0123456789"))
    return (int(parts[0]), int(minor[:digits])) if digits else None
