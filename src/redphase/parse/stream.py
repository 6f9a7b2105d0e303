"""Parse many feature files in a second process, handing each result over in order as it is ready.

gherkin's parser takes as long as all of planning and rendering together. On a large batch a forked
child parses while this process plans and renders what has already arrived, so the two overlap on
two cores. It only reads files; all writing stays in this process. A child that fails hands the
rest of the work back: results never depend on which process parsed.

Whether to fork at all is decided in one place, `fork_is_safe`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from redphase.diagnostics import Diagnostic
from redphase.parse.model import FeatureFile
from redphase.parse.reader import read_feature

# Below this many files a second process costs more than it saves.
PARALLEL_FROM = 32
# Files per message: small enough that the first arrive early, large enough to amortise each send.
BATCH = 8
_PIPE_BYTES = 1 << 20
# Set (to anything but "" or "0") to parse every file in this process.
NO_FORK = "REDPHASE_NO_FORK"

Parsed = FeatureFile | list[Diagnostic]


def read_in_order(
    jobs: Sequence[tuple[Path, str]],
    ahead: Callable[[FeatureFile], object] | None = None,
    receive: Callable[[object, Parsed], None] | None = None,
) -> ParsedStream:
    """read_feature(path, shown) for each job, in order; close when done.

    On a large batch a child starts parsing at once, before the first result is asked for, so that
    this process can load what it needs for planning meanwhile. The child also runs `ahead` on each
    feature it parses, and what that returns is handed to `receive`, with the feature, just before
    the feature itself is. A feature parsed here has nothing worked ahead: `receive` must not be
    needed for the same results.
    """
    if len(jobs) < PARALLEL_FROM or not fork_is_safe():
        return ParsedStream(jobs)
    read_end, write_end = os.pipe()
    with contextlib.suppress(OSError):
        import fcntl

        # Room for a few hundred features, so that neither process stalls the other for long.
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports only through the pipe
        os.close(read_end)
        try:
            _parse_into(write_end, jobs, ahead)
        finally:
            os._exit(1)  # the child never returns into the caller's code, whatever went wrong
    os.close(write_end)
    return ParsedStream(jobs, child, os.fdopen(read_end, "rb"), receive)


class ParsedStream:
    """Results from the child while it sends them; whatever it did not send is parsed here."""

    def __init__(
        self,
        jobs: Sequence[tuple[Path, str]],
        child: int = 0,
        incoming: BinaryIO | None = None,
        receive: Callable[[object, Parsed], None] | None = None,
    ):
        self._jobs = jobs
        self._child = child
        self._incoming = incoming
        self._receive = receive
        self._ready: deque[tuple[Parsed, object]] = deque()
        self._handed = 0

    def __iter__(self) -> ParsedStream:
        return self

    def __next__(self) -> Parsed:
        if not self._ready and self._incoming is not None and self._handed < len(self._jobs):
            try:
                self._ready.extend(pickle.load(self._incoming))
            except (EOFError, pickle.UnpicklingError):
                self.close()  # the child died: parse the rest here
        if self._ready:
            item, worked = self._ready.popleft()
            if worked is not None and self._receive is not None:
                self._receive(worked, item)
        elif self._handed < len(self._jobs):
            item = read_feature(*self._jobs[self._handed])
        else:
            self.close()
            raise StopIteration
        self._handed += 1
        return item

    def close(self) -> None:
        """Stop the child if it is still at work, and reap it."""
        if self._incoming is not None:
            self._incoming.close()
            self._incoming = None
        if self._child:
            if self._handed + len(self._ready) < len(self._jobs):
                _stop(self._child)
            os.waitpid(self._child, 0)
            self._child = 0


def fork_is_safe() -> bool:
    """The one gate for every forked child (the parsing child, black's pool): Linux, no other
    thread, and not turned off.

    Elsewhere fork is missing (Windows) or unsafe once system libraries have started threads
    (macOS), and forking a process that runs other threads can deadlock the child on a lock held at
    fork time. The output is the same either way: only where the parsing happens changes.
    """
    if os.environ.get(NO_FORK, "") not in ("", "0"):
        return False
    return sys.platform == "linux" and threading.active_count() == 1 and _os_threads() <= 1


def _os_threads() -> int:
    """Threads of this process as the kernel counts them: native threads too (a C library's, an
    embedding host's), which `threading` never sees. Python 3.12 warns on fork by the same count."""
    try:
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rpartition(b")")[2].split()
        return int(fields[17])  # num_threads, the 20th field; the first two end at the ")"
    except (OSError, IndexError, ValueError):
        return 1  # no /proc: threading's own count above is all there is to go on


def _parse_into(
    descriptor: int, jobs: Sequence[tuple[Path, str]], ahead: Callable[[FeatureFile], object] | None
) -> None:  # pragma: no cover
    status = 0
    try:
        with os.fdopen(descriptor, "wb") as outgoing:
            for start in range(0, len(jobs), BATCH):
                parsed = [read_feature(path, shown) for path, shown in jobs[start : start + BATCH]]
                batch = [
                    (item, ahead(item) if ahead is not None and isinstance(item, FeatureFile) else None)
                    for item in parsed
                ]
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
