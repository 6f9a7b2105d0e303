"""The names the plan gives: a scenario's test function, a step's definition.

Both are worked out here alone, so that scaffold and verify's hints always name a thing alike.
"""

from __future__ import annotations

import re

from redphase.identifiers import identifier, shorten

_PARAMETER = re.compile(r"\{(\w+)\}|<([^>]+)>")


def test_name_base(scenario_name: str) -> str:
    """The test function name for a scenario, before it is made unique in its module."""
    return f"test_{shorten(identifier(scenario_name, 'scenario'), 64)}"


def step_function_name(kind: str, expression: str) -> str:
    """The step definition's function name for a pattern, before it is made unique in its module."""
    # A {type} says nothing a reader needs in the name; an outline's <column> is a word of the step.
    words = _PARAMETER.sub(lambda m: " " if m.group(1) else m.group(2), expression)
    return shorten(f"{kind}_{identifier(words, 'step')}", 70)


_NEGATIONS = frozenset(
    {"not", "no", "never", "none", "nothing", "nobody", "without", "cannot", "neither", "nor"}
)
NEGATED = (
    "a negated outcome: the equality check a wired Then writes (observed == expected) would assert "
    "the opposite"
)


def is_negated(text: str) -> bool:
    """Whether a step states a negated outcome ("does not include", "no error", "isn't shown")."""
    words = re.findall(r"[a-z']+", text.lower().replace("\u2019", "'"))
    return any(word in _NEGATIONS or word.endswith("n't") for word in words)
