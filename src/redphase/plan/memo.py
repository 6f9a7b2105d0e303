"""Answers of a pure function kept by argument, with a bound, and open to answers worked out elsewhere.

The planner asks the same questions of many steps (a text's pattern, the components it names, a
scenario's test name). On a large run the parsing child answers them first and the planner is told
the answers (`remember`); the function itself answers whatever it was not told.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
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

    def remember(self, answers: Mapping[K, V]) -> None:
        """Answers `function` would give, worked out elsewhere by the same code."""
        if len(self._answers) + len(answers) > self._limit:
            self._answers.clear()
        self._answers.update(answers)

    def clear(self) -> None:
        self._answers.clear()
