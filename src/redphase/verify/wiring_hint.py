"""For an unwired red: the calls each of its steps could be wired to, as `redphase plan` ranks them.

The application is read statically, once per run and only when some scenario is unwired. A hint must
never cost a verdict, so a project whose code cannot be read simply gets no candidates.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redphase.plan.call_fit import Signatures
    from redphase.plan.expressions import Patterns

TOP = 3


class WiringSuggestions:
    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self._model: Any = None
        self._read = False
        self._answers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._patterns: Patterns | None = None
        self._signatures: Signatures | None = None

    def for_step(self, kind: str, text: str) -> list[dict[str, Any]]:
        key = (kind, text)
        if key not in self._answers:
            self._answers[key] = self._rank(kind, text)
        return self._answers[key]

    def _rank(self, kind: str, text: str) -> list[dict[str, Any]]:
        model = self._system()
        # With nothing to call, no step has a candidate: the pattern need not be worked out.
        if model is None or not model.callables:
            return []
        from redphase.plan.expressions import Patterns
        from redphase.plan.wiring import candidates

        if self._patterns is None:
            # Hinted steps often differ only in their numbers, and such texts share one pattern.
            self._patterns = Patterns()
        pattern = self._patterns(text)
        params = [(param.name, param.type) for param in pattern.params]
        if self._signatures is None:
            from redphase.plan.call_fit import Signatures

            self._signatures = Signatures(self.rootdir)
        return candidates(
            text, kind, params, pattern.expression, model, limit=TOP, signatures=self._signatures
        )

    def _system(self) -> Any:
        if not self._read:
            self._read = True
            try:
                from redphase.config import load_config
                from redphase.discover.scan import discover

                self._model = discover(load_config(self.rootdir))
            except Exception:  # an unreadable project: no candidates, the verdict stands
                self._model = None
        return self._model


def unwired_steps(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of an unwired scenario that need wiring: its When steps and its failing Then."""
    steps = list(result.get("when_steps") or [])
    failing = result.get("step")
    if failing and failing not in steps:
        steps.append(failing)
    return steps


def hint_lines(wiring: list[dict[str, Any]]) -> list[str]:
    lines = []
    for entry in wiring:
        lines.append(f"{entry['step']}:")
        if not entry["candidates"]:
            lines.append("  no candidate in the application's code")
        for candidate in entry["candidates"]:
            lines.append(f"  {candidate['call']}  ({candidate['confidence']:.2f}, {candidate['why']})")
    return lines
