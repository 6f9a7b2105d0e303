"""black, in-process, with one Mode for the whole run."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _mode() -> Any:
    import black

    return black.Mode(target_versions={black.TargetVersion.PY311})


def format_python(source: str) -> str:
    import black

    try:
        return str(black.format_str(source, mode=_mode()))
    except black.NothingChanged:
        return source
