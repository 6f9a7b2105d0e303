"""Answers of a pure function kept by argument, with a bound.

The planner asks the same questions of many steps (a text's pattern, the components it names, a
scenario's test name). Each memo belongs to the run that asks, never to a module: a run's answers
go when the run does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    def __init__(self, function: Callable[[K], V], limit: int = 65536) -> None:
        self._function = function
        self._limit = limit
        self._answers: dict[K, V] = {}

    def __call__(self, key: K) -> V:
        found = self._answers.get(key)
        if found is None:
            if len(self._answers) >= self._limit:
                self._answers.clear()
            found = self._answers[key] = self._function(key)
        return found
