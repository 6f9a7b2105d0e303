"""The integration harness description: the only input the render stage gets."""

from __future__ import annotations

import re
from dataclasses import field
from functools import cached_property
from pathlib import Path
from typing import Literal

from redphase.diagnostics import Diagnostic
from redphase.discover.assembly import Assembly, Unassembled
from redphase.discover.model import SystemModel
from redphase.frozen import frozen
from redphase.parse.model import StepKind
from redphase.plan.components import Component
from redphase.plan.expressions import Param, RegexPart

_ESCAPED = re.compile(r"\\(.)", re.DOTALL)

Phase = Literal["arrange", "act", "assert"]
PHASE_BY_KIND: dict[StepKind, Phase] = {"given": "arrange", "when": "act", "then": "assert"}
# (step type, regex): the regex carries the parameter types, so one pattern typed two ways is two steps.
StepKey = tuple[StepKind, str]


@frozen
class SystemUnderTest:
    entry_point: str
    reason: str


@frozen
class WiringChoice:
    """A call a step can be wired to, as the harness makes it (see plan.wire)."""

    target: str
    call: str
    confidence: float
    why: str
    imports: tuple[str, ...] = ()  # modules the call names, to import in the step module


@frozen
class StepDefinition:
    kind: StepKind
    expression: str
    parts: tuple[RegexPart, ...]
    params: tuple[Param, ...]
    function_name: str
    takes_datatable: bool
    takes_docstring: bool
    components: tuple[str, ...]
    example_location: str
    # The candidates the harness can call, best first, and whether the first is written as its wiring.
    wiring: tuple[WiringChoice, ...] = ()
    wired: bool = False
    # Why a candidate sure enough is not written, when it is not.
    unwired_because: str = ""

    @property
    def key(self) -> StepKey:
        return (self.kind, self.regex)

    @property
    def phase(self) -> Phase:
        return PHASE_BY_KIND[self.kind]

    @cached_property
    def regex(self) -> str:
        return "".join(part.regex for part in self.parts)

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex)

    @cached_property
    def literal_runs(self) -> tuple[str, ...]:
        """The literal text before, between and after the parameters, in order: one run for a step
        without parameters, and "" where a parameter begins or ends the step."""
        runs = [""]
        for part in self.parts:
            if part.group:
                runs.append("")
            elif "\\" in part.text:
                runs[-1] += _ESCAPED.sub(r"\1", part.text)
            else:
                runs[-1] += part.text
        return tuple(runs)

    @property
    def literal_prefix(self) -> str:
        """The literal text every matching step starts with."""
        return self.literal_runs[0]

    def could_match(self, text: str) -> bool:
        """False when `text` cannot match: its literal runs are not all there, in order. Cheap
        beside compiling the regex, which most texts that share a prefix with it never need."""
        runs = self.literal_runs
        if len(runs) == 1:
            return text == runs[0]
        first, *middle, last = runs
        end = len(text) - len(last)
        if end < len(first) or not text.startswith(first) or not text.endswith(last):
            return False
        position = len(first)
        for run in middle:
            found = text.find(run, position, end)
            if found < 0:
                return False
            position = found + len(run)
        return True

    @property
    def constants(self) -> set[str]:
        return {part.constant for part in self.parts if part.constant}

    @property
    def needs_unquote(self) -> bool:
        return any(param.type == "string" for param in self.params)


@frozen
class StepUse:
    keyword: str
    kind: StepKind
    text: str
    line: int
    key: StepKey
    expression: str
    components: tuple[Component, ...]
    params: tuple[Param, ...] = ()
    # Where the definition lives when the project already has one (path:line), else "".
    defined_at: str = ""

    @property
    def phase(self) -> Phase:
        return PHASE_BY_KIND[self.kind]


@frozen
class ScenarioPlan:
    name: str
    # The name pytest-bdd sees: different only when the runnable copy had to rename a duplicate.
    bound_name: str
    test_name: str
    line: int
    tags: tuple[str, ...]
    markers: tuple[str, ...]
    steps: tuple[StepUse, ...]
    example_rows: int
    has_outcome: bool
    scope: str
    outcome: str
    criteria: tuple[str, ...]
    already_bound: bool = False


@frozen
class FeaturePlan:
    source: Path
    display: str
    name: str
    description: str
    language: str
    module: Path
    steps_module: Path
    binding: str
    runnable_copy: Path | None
    runnable_source: str | None
    scenarios: tuple[ScenarioPlan, ...]
    # Step definitions this feature introduces that the project does not have yet.
    definitions: tuple[StepDefinition, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    components: tuple[Component, ...] = field(default=())

    @property
    def new_scenarios(self) -> tuple[ScenarioPlan, ...]:
        return tuple(scenario for scenario in self.scenarios if not scenario.already_bound)


@frozen
class HarnessPlan:
    root: Path
    tests: Path
    system: SystemUnderTest
    components: tuple[Component, ...]
    features: tuple[FeaturePlan, ...]
    markers: tuple[str, ...]
    definitions_by_key: dict[StepKey, StepDefinition]
    diagnostics: tuple[Diagnostic, ...] = ()
    # What static discovery found in the application (only `redphase plan` reads the code today).
    discovered: SystemModel | None = None
    # How a harness that scaffold writes assembles the system (None: none is written).
    assembly: Assembly | Unassembled | None = None
    # The module that defines the `system` fixture's class `Harness` when it is redphase's own, so
    # that steps can name its type ("" when the project has a harness of its own).
    harness_module: str = ""
    # The project formatter's line length, which the renderer lays code out to.
    line_length: int = 88
