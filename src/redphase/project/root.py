"""Where a project starts: the nearest folder upwards with a pyproject.toml. Light enough for start-up."""

from __future__ import annotations

import os


def find_root(start: str) -> str:
    """The nearest folder from `start` upwards holding a pyproject.toml; `start` itself if none does."""
    start = os.path.realpath(start)
    candidate = start
    while True:
        if os.path.isfile(os.path.join(candidate, "pyproject.toml")):
            return candidate
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return start
        candidate = parent
