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
import os
import re
from collections.abc import Sequence
from dataclasses import field
from pathlib import Path

from redphase.config import Config
from redphase.diagnostics import Diagnostic, Severity
from redphase.discover.assembly import Assembly, Unassembled, assemble
from redphase.discover.model import Callable, SystemModel
from redphase.frozen import frozen
from redphase.identifiers import is_module_path
from redphase.plan.call_fit import (
    Signature,
    Signatures,
    cannot_take,
    passes_a_step_value,
    takes_no_arguments,
)
from redphase.plan.model import WiringChoice
from redphase.plan.wiring import candidates, discovered
from redphase.project import layout

# What a harness that redphase did not write shows of itself, in its own source.
_ATTRIBUTE = re.compile(r"\bself\.(app|client)\s*[:=]")


@frozen
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
        self._signatures = Signatures(config.root)
        self._constructible_classes: dict[str, bool] = {}
        self._by_target: dict[str, Callable] = {}

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

    def unused_system(self) -> Diagnostic | None:
        """A note when `[tool.redphase] system` names a factory that redphase's existing harness
        does not use: the harness is written once and never rewritten, so setting `system` after
        it was written changes nothing by itself."""
        factory = re.split(r"[:.]", self.config.system)[-1]
        if (
            not factory
            or self.writes_harness
            or not self.owned
            or factory in _used_names(self.harness_source)
        ):
            return None
        conftest = layout.conftest(self.config)
        shown = os.path.relpath(conftest, self.config.root)
        return Diagnostic(
            shown,
            1,
            1,
            f"the harness in {shown} does not use [tool.redphase] system ({self.config.system}): "
            "it was written before, and redphase never rewrites it",
            Severity.NOTE,
            f"build the application in Harness.__init__ from {factory}(), or move {shown} aside and "
            "run `redphase scaffold` to have the harness written with the system assembled, then "
            "carry your own changes over",
        )

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
            owned=owned,
            app=owned and "app" in found,
            client=owned and "client" in found,
            fakes=fakes,
            instances=owned and "def instance(" in source,
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
        if not self.model.callables:
            return ()  # nothing was discovered to wire to: no step's words need reading
        if not self._by_target:
            self._by_target = {item.target: item for item in self.model.callables}
        by_target = self._by_target
        choices = []
        for entry in candidates(
            text, kind, params, expression, self.model, limit=8, signatures=self._signatures
        ):
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
        if item.reads or (item.kind == "method" and self._signature(item).is_property):
            # A property is read, not called; only a Then reads without changing anything.
            if kind != "then":
                return None
            call = call.removesuffix("()")
        elif item.kind in ("method", "function") and cannot_take(self._signature(item), call, params):
            return None
        if call.startswith("system.app") and reach.app:
            return WiringChoice(item.target, call, confidence, why)
        if call.startswith("system.client.") and reach.client:
            # A path parameter the call leaves as it is (FastAPI's "{name}", Flask's "<int:name>")
            # could only miss the route.
            if re.search(r"\{\w+\}|<(?:\w+:)?\w+>", item.target.partition(" ")[2]):
                return None
            return WiringChoice(item.target, call, confidence, why)
        if not is_module_path(item.module) or item.module.split(".")[0] in {name for name, _ in params}:
            # A folder such as `gen-2` is no module name; a step parameter named like the
            # package would hide the module it imports.
            return None
        if item.kind == "function" and not item.via and call.startswith(item.target + "("):
            if kind == "then" and passes_a_step_value(call, params):
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
            self._constructible_classes[key] = takes_no_arguments(self._tree(item), item)
        return self._constructible_classes[key]

    def _tree(self, item: Callable) -> ast.Module | None:
        return self._signatures.tree(item)

    def _signature(self, item: Callable) -> Signature:
        return self._signatures.of(item)


def _used_names(source: str | None) -> set[str]:
    """The names code imports or calls (its docstrings and comments aside); everything, when it does not parse."""
    try:
        tree = ast.parse(source or "")
    except (SyntaxError, ValueError):
        return set(re.findall(r"\w+", source or ""))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            # Both names: `from shop.system import make_shelf as build` imports make_shelf.
            names.update(alias.name.rpartition(".")[2] for alias in node.names)
            names.update(alias.asname for alias in node.names if alias.asname)
        elif isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name):
                names.add(function.id)
            elif isinstance(function, ast.Attribute):
                names.add(function.attr)
    return names


def harness_source(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
