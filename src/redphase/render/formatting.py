"""black, in-process, with one Mode for the whole run."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _mode() -> Any:
    from black.mode import Mode, TargetVersion

    return Mode(target_versions={TargetVersion.PY311})


def format_python(source: str) -> str:
    import black
    from black.report import NothingChanged

    try:
        return str(black.format_str(source, mode=_mode()))
    except NothingChanged:
        return source
