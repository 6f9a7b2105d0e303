"""Parse many feature files in a second process, handing each result over in order as it is ready.

gherkin's parser takes as long as all of planning and rendering together. On a large batch a forked
child parses while this process plans and renders what has already arrived, so the two overlap on
two cores. The child only reads files and sends parse results; all writing stays in this process.
A child that fails hands the rest of the work back: results never depend on which process parsed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from redphase.diagnostics import Diagnostic
from redphase.parse.model import FeatureFile
from redphase.parse.reader import read_feature

# Below this many files a second process costs more than it saves.
PARALLEL_FROM = 32
# Files per message: small enough that the first arrive early, large enough to amortise each send.
BATCH = 8

Parsed = FeatureFile | list[Diagnostic]


def read_in_order(jobs: Sequence[tuple[Path, str]]) -> Iterator[Parsed]:
    """read_feature(path, shown) for each job, in the order given."""
    if len(jobs) < PARALLEL_FROM or not _can_fork():
        for path, shown in jobs:
            yield read_feature(path, shown)
        return
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports only through the pipe
        os.close(read_end)
        _parse_into(write_end, jobs)
    os.close(write_end)
    received = 0
    try:
        with os.fdopen(read_end, "rb") as incoming:
            while received < len(jobs):
                try:
                    batch: list[Parsed] = pickle.load(incoming)
                except (EOFError, pickle.UnpicklingError):
                    break  # the child died: parse the rest here
                for parsed in batch:
                    received += 1
                    yield parsed
        for path, shown in jobs[received:]:
            yield read_feature(path, shown)
    finally:
        if received < len(jobs):
            _stop(child)
        os.waitpid(child, 0)


def _can_fork() -> bool:
    # Forking a process that runs other threads can deadlock the child (a lock held at fork time).
    return hasattr(os, "fork") and threading.active_count() == 1


def _parse_into(descriptor: int, jobs: Sequence[tuple[Path, str]]) -> None:  # pragma: no cover
    status = 0
    try:
        with os.fdopen(descriptor, "wb") as outgoing:
            for start in range(0, len(jobs), BATCH):
                batch = [read_feature(path, shown) for path, shown in jobs[start : start + BATCH]]
                pickle.dump(batch, outgoing, protocol=pickle.HIGHEST_PROTOCOL)
                outgoing.flush()
    except BaseException:
        status = 1
    finally:
        # No atexit handlers, no flushing of buffers the parent owns: leave at once.
        os._exit(status)


def _stop(child: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, signal.SIGKILL)
