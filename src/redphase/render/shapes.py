"""Lay out calls the way black would, so that black's pass over our output is its only one.

black stays the authority: whatever this gets wrong, black corrects, at the cost of a second pass.
The rules are black's for one bracket pair: one line if it fits; else the contents on one indented
line; else one argument per line with a trailing comma, each argument laid out the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

LINE_LENGTH = 88


@dataclass(frozen=True)
class Call:
    opening: str  # ends with "(", "{" or "["
    arguments: tuple[Argument, ...]
    closing: str  # starts with ")", "}" or "]"

    def flat(self) -> str:
        return self.opening + ", ".join(flat(argument) for argument in self.arguments) + self.closing


Argument: TypeAlias = "str | Call"


def flat(argument: str | Call) -> str:
    return argument if isinstance(argument, str) else argument.flat()


def lay_out(node: str | Call, indent: str = "", trailer: str = "") -> list[str]:
    one_line = indent + flat(node) + trailer
    if isinstance(node, str) or len(one_line) <= LINE_LENGTH or not node.arguments:
        return [one_line]
    inner = indent + "    "
    if len(node.arguments) == 1:
        return [indent + node.opening, *lay_out(node.arguments[0], inner), indent + node.closing + trailer]
    hugged = inner + ", ".join(flat(argument) for argument in node.arguments)
    if len(hugged) <= LINE_LENGTH:
        return [indent + node.opening, hugged, indent + node.closing + trailer]
    lines = [indent + node.opening]
    for argument in node.arguments:
        lines += lay_out(argument, inner, ",")
    return [*lines, indent + node.closing + trailer]
