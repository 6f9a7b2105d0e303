"""Gherkin tags as pytest markers."""

from __future__ import annotations

import re

# pytest cuts a registered marker name at ":" or "(" and refuses names that start with "_".
MARKER_UNSAFE_PATTERN = r"[:()\s,=]"
_NOT_IN_MARKER = re.compile(MARKER_UNSAFE_PATTERN)
# Builtin markers that fail without arguments, which a bare Gherkin tag can never give them.
RESERVED_MARKERS = ("parametrize",)


def marker_name(tag: str) -> str:
    name = _NOT_IN_MARKER.sub("_", tag)
    if name.startswith("_") or not name or name in RESERVED_MARKERS:
        name = f"tag{name}"
    return name
