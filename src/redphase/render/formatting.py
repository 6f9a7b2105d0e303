"""black, in-process, with one Mode for the whole run, on both cores for large batches.

Rendered code is black's output by construction (render.shapes), so black only sees the rare file
whose layout we do not claim to know: black is neither imported nor run when there is none.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redphase.render.renderer import Python

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


def formatted(rendered: Sequence[Python]) -> list[str]:
    """Each source as black would format it; only sources not already exact are run through black."""
    inexact = [index for index, python in enumerate(rendered) if not python.exact]
    out = [python.source for python in rendered]
    for index, source in zip(inexact, format_many([out[index] for index in inexact]), strict=True):
        out[index] = source
    return out
