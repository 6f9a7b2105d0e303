"""A wiring call (plan.model.WiringChoice.call) as a layout node that black would lay out alike.

The call's text is parsed, never pasted: every string in it is written again by `string_literal`,
so nothing in it can become code. Shapes other than calls, dicts, names, attributes and literals
are left to black (the node is marked inexact).
"""

from __future__ import annotations

import ast
from dataclasses import replace

from redphase.render.literals import parse_expression, string_literal
from redphase.render.shapes import Call


class Unrenderable(ValueError):
    pass


def call_node(expression: str) -> tuple[str | Call, bool]:
    """The layout node of `expression`, and whether black is sure to lay it out so."""
    node = parse_expression(expression)
    if node is None:
        raise Unrenderable(expression)
    converter = _Converter()
    return converter.node(node), converter.exact


class _Converter:
    def __init__(self) -> None:
        self.exact = True

    def node(self, node: ast.expr) -> str | Call:
        if isinstance(node, ast.Call) and not _has_strings(node.func):
            arguments: list[str | Call] = [self.node(argument) for argument in node.args]
            for keyword in node.keywords:
                if keyword.arg is None:
                    raise Unrenderable(ast.unparse(node))
                arguments.append(_prefixed(f"{keyword.arg}=", self.node(keyword.value)))
            return Call(ast.unparse(node.func) + "(", tuple(arguments), ")")
        if isinstance(node, ast.Dict):
            entries: list[str | Call] = []
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    raise Unrenderable(ast.unparse(node))
                entries.append(_prefixed(f"{self.flat(key)}: ", self.node(value)))
            return Call("{", tuple(entries), "}", collection=True)
        return self.flat(node)

    def flat(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return string_literal(node.value)
        if _has_strings(node):
            self.exact = False
        return ast.unparse(node)


def _prefixed(prefix: str, node: str | Call) -> str | Call:
    return prefix + node if isinstance(node, str) else replace(node, opening=prefix + node.opening)


def _has_strings(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Constant) and isinstance(sub.value, str | bytes) for sub in ast.walk(node))
