"""black, in-process, with one Mode for the whole run, on both cores for large batches."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

# Below this many files a second process costs more than it saves.
PARALLEL_FROM = 24


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


def format_many(sources: Sequence[str]) -> list[str]:
    """Every source formatted, in order. Large batches use forked workers that share black's import."""
    workers = min(os.cpu_count() or 1, 4)
    if len(sources) < PARALLEL_FROM or workers < 2 or not sys.platform.startswith("linux"):
        return [format_python(source) for source in sources]
    _mode()
    try:
        pool = multiprocessing.get_context("fork").Pool(workers)
    except OSError:  # no semaphores in some sandboxes: format in this process instead
        return [format_python(source) for source in sources]
    with pool:
        return pool.map(format_python, sources, chunksize=max(1, len(sources) // (workers * 4)))
