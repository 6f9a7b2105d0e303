"""Which call each new step definition is wired to, when scaffold writes it.

The candidates are those `redphase plan` ranks (plan.wiring.candidates). A candidate is kept only if
the harness can really make its call: a method reached through `system.app` needs an assembled
application, a route needs the test client, a module function needs nothing but an import. A Then
step does not call a port of an external service: it reads what the harness's fake of that port
recorded. A Given or When never calls such a port either, since the fake would only record it.
The best kept candidate is written when its confidence reaches the threshold, as inferred.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redphase.config import Config
from redphase.discover.assembly import Assembly, Unassembled, assemble
from redphase.discover.model import Callable, SystemModel
from redphase.plan.model import WiringChoice
from redphase.plan.wiring import candidates, discovered

# What a harness that redphase did not write shows of itself, in its own source.
_ATTRIBUTE = re.compile(r"\bself\.(app|client)\s*[:=]")


@dataclass(frozen=True)
class Reach:
    """What the `system` fixture offers a step's call."""

    owned: bool  # the harness is redphase's own shape (arrange/act/observe/read/mismatch)
    app: bool
    client: bool
    fakes: dict[str, str] = field(default_factory=dict)  # port dotted path → harness attribute
    instances: bool = False  # `system.instance(cls)`: the scenario's one instance of a class


class StepWiring:
    """The wiring of the run's new steps. Discovery reads the application only when a step needs it."""

    def __init__(self, config: Config, harness_source: str | None, writes_harness: bool) -> None:
        self.config = config
        self.harness_source = harness_source
        self.writes_harness = writes_harness
        self._model: SystemModel | None = None
        self._assembly: Assembly | Unassembled | None = None
        self._reach: Reach | None = None
        self._memo: dict[tuple[str, str, str, str], tuple[WiringChoice, ...]] = {}
        self._signatures: dict[str, tuple[tuple[str, ...], dict[str, str], bool]] = {}
        self._constructible_classes: dict[str, bool] = {}

    @property
    def model(self) -> SystemModel:
        if self._model is None:
            self._model = discovered(self.config)
        return self._model

    @property
    def assembly(self) -> Assembly | Unassembled:
        if self._assembly is None:
            self._assembly = assemble(self.model, self.config)
        return self._assembly

    @property
    def owned(self) -> bool:
        """The `system` fixture is redphase's Harness: known from its source, without discovery."""
        source = self.harness_source or ""
        return self.writes_harness or ("class Harness" in source and "def read(" in source)

    @property
    def harness_module(self) -> str:
        """The module steps import `Harness` from, for its type alone, or "" when it is not ours."""
        if not self.owned:
            return ""
        parts = ["conftest"]
        folder = self.config.tests
        while (folder / "__init__.py").is_file() and folder != self.config.root:
            parts.insert(0, folder.name)
            folder = folder.parent
        return ".".join(parts)

    @property
    def reach(self) -> Reach:
        if self._reach is None:
            self._reach = self._find_reach()
        return self._reach

    def _find_reach(self) -> Reach:
        if self.writes_harness:
            assembly = self.assembly
            if isinstance(assembly, Unassembled):
                return Reach(owned=True, app=False, client=False, instances=True)
            fakes = {fake.port: fake.attribute for fake in assembly.fakes}
            return Reach(owned=True, app=True, client=bool(assembly.client), fakes=fakes, instances=True)
        source = self.harness_source or ""
        found = set(_ATTRIBUTE.findall(source))
        owned = self.owned
        fakes = {}
        if owned and "app" in found and not isinstance(self.assembly, Unassembled):
            fakes = {
                fake.port: fake.attribute
                for fake in self.assembly.fakes
                if f"self.{fake.attribute} = " in source
            }
        return Reach(
            owned=owned, app=owned and "app" in found, client=owned and "client" in found, fakes=fakes
        )

    def for_step(
        self, text: str, kind: str, params: Sequence[tuple[str, str]], expression: str
    ) -> tuple[WiringChoice, ...]:
        """The step's wiring candidates that the harness can call, best first."""
        if not self.config.wire or not self.owned:
            return ()
        key = (kind, text, expression, repr(params))
        if key not in self._memo:
            self._memo[key] = self._choices(text, kind, params, expression)
        return self._memo[key]

    def _choices(
        self, text: str, kind: str, params: Sequence[tuple[str, str]], expression: str
    ) -> tuple[WiringChoice, ...]:
        by_target = {item.target: item for item in self.model.callables}
        choices = []
        for entry in candidates(text, kind, params, expression, self.model, limit=8):
            item = by_target.get(entry["target"])
            if item is None:
                continue
            choice = self._choice(item, entry, kind, params)
            if choice is not None:
                choices.append(choice)
        return tuple(choices[:4])

    def _choice(
        self, item: Callable, entry: dict[str, object], kind: str, params: Sequence[tuple[str, str]]
    ) -> WiringChoice | None:
        reach = self.reach
        call = str(entry["call"])
        confidence = float(str(entry["confidence"]))
        why = str(entry["why"])
        port = f"{item.module}.{item.owner}" if item.owner else ""
        if port in reach.fakes:
            if kind != "then":
                return None
            attribute = reach.fakes[port]
            return WiringChoice(
                target=item.target,
                call=f'system.{attribute}.calls_to("{item.name}")',
                confidence=confidence,
                why=f"{why}; the harness fakes {item.owner}, so the Then reads what it was sent",
            )
        if item.kind == "method" and self._signature(item)[2]:
            # A property is read, not called; only a Then reads without changing anything.
            if kind != "then" or not call.endswith("()"):
                return None
            call = call[:-2]
        elif item.kind in ("method", "function") and self._cannot_take(item, call, params):
            return None
        if call.startswith("system.app") and reach.app:
            return WiringChoice(item.target, call, confidence, why)
        if call.startswith("system.client.") and reach.client:
            # A path parameter the call leaves as "{name}" could only miss the route.
            if re.search(r"\{\w+\}", item.target.partition(" ")[2]):
                return None
            return WiringChoice(item.target, call, confidence, why)
        if item.module.split(".")[0] in {name for name, _ in params}:
            return None  # the step's own parameter would hide the module it imports
        if item.kind == "function" and not item.via and call.startswith(item.target + "("):
            if kind == "then" and _passes_a_step_value(call, params):
                # A function of the expected value alone would echo it back: a check that
                # cannot fail. A Then reads the system's state, not a function of its input.
                return None
            return WiringChoice(item.target, call, confidence, why, imports=(item.module,))
        if item.kind == "method" and not item.via and reach.instances:
            if not self._constructible(item):
                return None
            arguments = call[call.index("(") :] if "(" in call else ""
            instance = f"system.instance({item.module}.{item.owner})"
            return WiringChoice(
                item.target,
                f"{instance}.{item.name}{arguments}",
                confidence,
                f"{why}; the scenario's one {item.owner}, made with no arguments",
                imports=(item.module,),
            )
        return None

    def _constructible(self, item: Callable) -> bool:
        key = f"{item.module}.{item.owner}"
        if key not in self._constructible_classes:
            self._constructible_classes[key] = _takes_no_arguments(self.config.root, item)
        return self._constructible_classes[key]

    def _signature(self, item: Callable) -> tuple[tuple[str, ...], dict[str, str], bool]:
        if item.location not in self._signatures:
            self._signatures[item.location] = _signature(self.config.root, item)
        return self._signatures[item.location]

    def _cannot_take(self, item: Callable, call: str, params: Sequence[tuple[str, str]]) -> bool:
        """The call would leave a parameter without a value, or hand a step's text or number to a
        parameter annotated as something else: it could only raise."""
        required, annotations, _ = self._signature(item)
        try:
            node = ast.parse(call, mode="eval").body
        except SyntaxError:
            return True
        if not isinstance(node, ast.Call):
            return True
        given = {keyword.arg: keyword.value for keyword in node.keywords}
        if not set(required) <= set(given):
            return True
        types = dict(params)
        for name, value in given.items():
            step_type = types.get(value.id, "") if isinstance(value, ast.Name) else ""
            annotation = annotations.get(name or "", "")
            if step_type and annotation and not _accepts(annotation, step_type):
                return True
        return False


def _passes_a_step_value(call: str, params: Sequence[tuple[str, str]]) -> bool:
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


def _accepts(annotation: str, step_type: str) -> bool:
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


def _signature(root: Path, item: Callable) -> tuple[tuple[str, ...], dict[str, str], bool]:
    """The parameters without a default of the function defined at `item.location`, the
    annotation of each parameter that has one, and whether it is a property."""
    path, _, line = item.location.rpartition(":")
    try:
        tree = ast.parse((root / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return (), {}, False
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
            return tuple(arg.arg for arg in [*without, *kw_only]), annotations, is_property
    return (), {}, False


def _takes_no_arguments(root: Path, item: Callable) -> bool:
    """Whether the class that defines `item` can be made with no arguments: its own `__init__`
    has no required parameter, or it is a dataclass whose fields all have defaults, or it has
    neither and no base class but `object`. A Protocol, an abstract class or a class with other
    bases (whose constructor is out of sight) is not made."""
    path = item.location.rpartition(":")[0]
    try:
        tree = ast.parse((root / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return False
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name != item.owner:
            continue
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


def harness_source(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
