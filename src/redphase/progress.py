"""Progress on a terminal: one line, rewritten in place, only where a person is watching.

Quiet unless the stream is a TTY (CI logs and pipes see nothing) and unless `REDPHASE_PROGRESS=0`.
`NO_COLOR` is honoured: the line is then cleared with spaces, never with an escape sequence. The
line is redrawn at most ten times a second, so counting costs a clock read and nothing more.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

_INTERVAL = 0.1
_CLEAR = "\x1b[K"


class Progress:
    def __init__(self, label: str, total: int, unit: str, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.label, self.total, self.unit = label, total, unit
        self.done = 0
        self._last = 0.0
        self._width = 0
        self.enabled = _wanted(self.stream) and total > 1
        self.plain = bool(os.environ.get("NO_COLOR"))

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last >= _INTERVAL or self.done >= self.total:
            self._last = now
            self._draw(f"{self.label}: {min(self.done, self.total)}/{self.total} {self.unit}")

    def _draw(self, text: str) -> None:
        line = "\r" + (text.ljust(self._width) if self.plain else text + _CLEAR)
        self._width = max(self._width, len(text))
        try:
            self.stream.write(line)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal must not stop the work
            self.enabled = False

    def close(self) -> None:
        """Take the line away again, so what is printed next starts on a clean line."""
        if self.enabled and self._width:
            self._draw("")
            try:
                self.stream.write("\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass
        self.enabled = False


def _wanted(stream: TextIO) -> bool:
    if os.environ.get("REDPHASE_PROGRESS", "") == "0" or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
