"""Lay out code the way black lays it out, so that what we render is already black's output.

The rules are black's for the shapes we emit. One bracket pair: one line if it fits; else the
contents on one indented line (never for a literal collection of several items); else one item per
line with a trailing comma, each laid out the same way. An assignment of a plain value: wrapped in parentheses only when that makes it fit.
Widths are black's (see redphase.width). `Layout` marks a file for black instead of guessing when a
line overflows for any reason other than a string literal too long to fit anywhere.
"""

from __future__ import annotations

import ast
from typing import TypeAlias

from redphase.frozen import frozen
from redphase.render.literals import parse_expression
from redphase.width import width

LINE_LENGTH = 88


@frozen
class Call:
    opening: str  # ends with "(", "{" or "["
    arguments: tuple[Argument, ...]
    closing: str  # starts with ")", "}" or "]"
    # A one-element tuple keeps its comma on one line too, and black does not read it as "explode me".
    one_tuple: bool = False
    # black gives a function's parameters a trailing comma when it splits them, even a lone one.
    parameters: bool = False
    # A literal dict or tuple of several items that has to split puts each item on its own line.
    collection: bool = False

    def flat(self) -> str:
        comma = "," if self.one_tuple else ""
        return self.opening + ", ".join(flat(argument) for argument in self.arguments) + comma + self.closing


Argument: TypeAlias = "str | Call"


def flat(argument: str | Call) -> str:
    return argument if isinstance(argument, str) else argument.flat()


def fits(line: str, limit: int = LINE_LENGTH) -> bool:
    return width(line) <= limit


def lay_out(node: str | Call, indent: str = "", trailer: str = "", limit: int = LINE_LENGTH) -> list[str]:
    one_line = indent + flat(node) + trailer
    if isinstance(node, str) or fits(one_line, limit) or not node.arguments:
        return [one_line]
    inner = indent + "    "
    if len(node.arguments) == 1 and not node.one_tuple:
        lone = lay_out(node.arguments[0], inner, "," if node.parameters else "", limit)
        return [indent + node.opening, *lone, indent + node.closing + trailer]
    hugged = inner + ", ".join(flat(argument) for argument in node.arguments)
    if fits(hugged, limit) and not node.one_tuple and not node.collection:
        return [indent + node.opening, hugged, indent + node.closing + trailer]
    lines = [indent + node.opening]
    for argument in node.arguments:
        lines += lay_out(argument, inner, ",", limit)
    return [*lines, indent + node.closing + trailer]


def assignment(target: str, value: str, indent: str = "", limit: int = LINE_LENGTH) -> list[str]:
    """`target = value` for a value without brackets of its own (a name or a literal)."""
    one_line = f"{indent}{target} = {value}"
    wrapped = [f"{indent}{target} = (", f"{indent}    {value}", f"{indent})"]
    return [one_line] if fits(one_line, limit) or not fits(wrapped[1], limit) else wrapped


class Layout:
    """Lays out one file's code, and remembers whether black could read any of it differently.

    A line that overflows because it holds one string literal is black's layout too: black never
    splits a string. Any other overflow is where black's further rules start, and the file is not exact.
    """

    def __init__(self, line_length: int = LINE_LENGTH) -> None:
        self.exact = True
        self.line_length = line_length

    def __call__(self, node: str | Call, indent: str = "", trailer: str = "") -> str:
        lines = lay_out(node, indent, trailer, self.line_length)
        for line in lines:
            if not fits(line, self.line_length) and not _lone_literal(line.strip().removesuffix(",")):
                self.exact = False
        return "\n".join(lines)

    def assignment(self, target: str, value: str, indent: str = "") -> str:
        lines = assignment(target, value, indent, self.line_length)
        if not all(fits(line, self.line_length) for line in lines) and not _lone_literal(value):
            self.exact = False
        return "\n".join(lines)


def _lone_literal(code: str) -> bool:
    node = parse_expression(code)
    return isinstance(node, ast.Constant | ast.JoinedStr) and isinstance(getattr(node, "value", ""), str)
