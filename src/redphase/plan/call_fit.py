"""Whether a call can take a step's values, read from the callable's own source with `ast`.

A call that leaves a required parameter unbound, or hands a step's text or number to a parameter
annotated as another type, could only raise; a Then that passes its own expected value to a
function would read that value back. Scaffold writes none of them (see plan.wire).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import field
from pathlib import Path

from redphase.discover.model import Callable
from redphase.frozen import frozen


@frozen
class Signature:
    required: tuple[str, ...] = ()  # the parameters without a default (self and cls left out)
    annotations: dict[str, str] = field(default_factory=dict)  # parameter → its annotation's source
    is_property: bool = False


def cannot_take(signature: Signature, call: str, params: Sequence[tuple[str, str]]) -> bool:
    """The call would leave a parameter without a value, or hand a step's text or number to a
    parameter annotated as something else: it could only raise."""
    try:
        node = ast.parse(call, mode="eval").body
    except SyntaxError:
        return True
    if not isinstance(node, ast.Call):
        return True
    given = {keyword.arg: keyword.value for keyword in node.keywords}
    if not set(signature.required) <= set(given):
        return True
    types = dict(params)
    for name, value in given.items():
        step_type = types.get(value.id, "") if isinstance(value, ast.Name) else ""
        annotation = signature.annotations.get(name or "", "")
        if step_type and annotation and not accepts(annotation, step_type):
            return True
    return False


def passes_a_step_value(call: str, params: Sequence[tuple[str, str]]) -> bool:
    names = {name for name, _ in params} | {"datatable", "docstring"}
    try:
        node = ast.parse(call, mode="eval").body
    except SyntaxError:
        return True
    return any(isinstance(sub, ast.Name) and sub.id in names for sub in ast.walk(node))


# What an annotation must mention to take a step's value of each type.
_TAKES = {
    "string": ("str", "Any", "object"),
    "text": ("str", "Any", "object"),
    "int": ("int", "float", "Decimal", "Any", "object"),
    "float": ("float", "Decimal", "Any", "object"),
}


def accepts(annotation: str, step_type: str) -> bool:
    """Whether one of the annotation's alternatives is a type the step's value is: `str | None`
    takes a text, `dict[str, str]` and `Iterable[str]` do not."""
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return True
    return bool(_heads(node) & set(_TAKES.get(step_type, ("Any",))))


def _heads(node: ast.expr) -> set[str]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _heads(node.left) | _heads(node.right)
    if isinstance(node, ast.Subscript):
        head = ast.unparse(node.value).rpartition(".")[2]
        if head in ("Optional", "Union", "Annotated"):
            inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return set().union(*(_heads(part) for part in inner[: 1 if head == "Annotated" else None]))
        return {head}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _heads(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return {"Any"}
    return {ast.unparse(node).rpartition(".")[2]}


def parse_file(path: Path) -> ast.Module | None:
    """The module at `path`, or None when it cannot be read or parsed."""
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def signature_of(tree: ast.Module | None, item: Callable) -> Signature:
    """The signature of the function defined at `item.location`, in `tree`, its file's module."""
    line = item.location.rpartition(":")[2]
    if tree is None:
        return Signature()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and str(node.lineno) == line:
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            if (
                item.kind == "method"
                and positional
                and not any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
            ):
                positional = positional[1:]
            without = positional[: len(positional) - len(args.defaults)]
            kw_only = [
                arg for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True) if default is None
            ]
            annotations = {
                arg.arg: ast.unparse(arg.annotation)
                for arg in [*positional, *args.kwonlyargs]
                if arg.annotation is not None
            }
            decorators = {ast.unparse(d).rpartition(".")[2] for d in node.decorator_list}
            is_property = bool(decorators & {"property", "cached_property"})
            return Signature(tuple(arg.arg for arg in [*without, *kw_only]), annotations, is_property)
    return Signature()


def takes_no_arguments(tree: ast.Module | None, item: Callable) -> bool:
    """Whether the class that defines `item` can be made with no arguments: its own `__init__`
    has no required parameter, or it is a dataclass whose fields all have defaults, or it has
    neither and no base class but `object`. A Protocol, an abstract class or a class with other
    bases (whose constructor is out of sight) is not made."""
    if tree is None:
        return False
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name != item.owner:
            continue
        bases = {ast.unparse(base).rpartition(".")[2] for base in node.bases}
        if bases & {"Protocol", "ABC", "Generic"} or node.keywords:
            return False  # a port or an abstract class is not made, nor one with a metaclass
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        if init is not None:
            args = init.args
            positional = [*args.posonlyargs, *args.args][1:]
            kw_required = [d for d in args.kw_defaults if d is None]
            return len(positional) <= len(args.defaults) and not kw_required
        if any("dataclass" in ast.unparse(decorator) for decorator in node.decorator_list):
            return all(
                statement.value is not None
                for statement in node.body
                if isinstance(statement, ast.AnnAssign)
                and "ClassVar" not in ast.unparse(statement.annotation)
            )
        return all(ast.unparse(base) == "object" for base in node.bases) and not node.keywords
    return False


class Signatures:
    """The signatures of the discovered callables, each file parsed once for the run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._trees: dict[str, ast.Module | None] = {}
        self._signatures: dict[str, Signature] = {}

    def tree(self, item: Callable) -> ast.Module | None:
        """The module that defines `item`."""
        path = item.location.rpartition(":")[0]
        if path not in self._trees:
            self._trees[path] = parse_file(self.root / path)
        return self._trees[path]

    def of(self, item: Callable) -> Signature:
        if item.location not in self._signatures:
            self._signatures[item.location] = signature_of(self.tree(item), item)
        return self._signatures[item.location]

    def refuses(self, item: Callable, call: str, params: Sequence[tuple[str, str]], kind: str) -> bool:
        """Whether `call` of a function or method could only raise (see cannot_take). A Then on a
        port is not refused: a fake of the port stands in, and the Then reads what it was sent."""
        if item.kind not in ("method", "function") or item.reads or self.of(item).is_property:
            return False
        if kind == "then" and item.boundary == "port":
            return False
        return cannot_take(self.of(item), call, params)
