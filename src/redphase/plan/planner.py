"""Stage 2: feature model + what the project already has → the harness description."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from redphase.config import Config
from redphase.diagnostics import Diagnostic
from redphase.identifiers import unique
from redphase.parse.model import Feature, FeatureFile, Scenario, Step
from redphase.parse.runnable import check
from redphase.parse.tags import marker_name
from redphase.plan.ahead import Answers, WorkedAhead
from redphase.plan.components import Component, ComponentInference
from redphase.plan.expressions import PLACEHOLDER, Patterns, StepPattern, example_columns
from redphase.plan.memo import Memo
from redphase.plan.model import (
    FeaturePlan,
    HarnessPlan,
    ScenarioPlan,
    StepDefinition,
    StepKey,
    StepUse,
    SystemUnderTest,
)
from redphase.plan.names import NEGATED, is_negated, step_function_name, test_name_base
from redphase.plan.wire import StepWiring, harness_source
from redphase.project import layout
from redphase.project.index import ProjectIndex


@dataclass
class _RunState:
    """Step definitions planned so far in this run, shared by every feature, and the run's memos."""

    definitions: dict[StepKey, StepDefinition] = field(default_factory=dict)
    # Parametrised definitions by (type, first literal word), then by literal prefix, numbered in
    # the order they were planned: the candidates for a new step's text are found by looking up the
    # text's own prefixes, not by trying every definition of the run.
    by_prefix: dict[tuple[str, str], dict[str, list[tuple[int, StepDefinition]]]] = field(
        default_factory=dict
    )
    # File names of every test module, existing or planned: pytest cannot collect two with one name.
    module_names: set[str] = field(default_factory=set)
    names_by_module: dict[Path, set[str]] = field(default_factory=dict)
    # Where shared step modules live: their steps are visible to every test module.
    steps_dir: Path = Path()
    # The same step text recurs in many scenarios, and its pattern is a pure function of it (and of
    # the columns it uses): each is worked out once per run, as is each scenario name's test name.
    patterns: Patterns = field(default_factory=Patterns)
    test_names: Memo[str, str] = field(default_factory=lambda: Memo(test_name_base))
    wiring: StepWiring | None = None


def plan_features(files: Iterable[FeatureFile], config: Config, index: ProjectIndex) -> HarnessPlan:
    planner = Planner(config, index)
    for file in sorted(files, key=lambda f: str(f.path)):
        planner.add(file)
    return planner.finish()


class Planner:
    """Plans features one at a time, in path order, so that planning can start before parsing ends.

    A step definition belongs to the first feature, in path order, that uses it; later features reuse it.
    """

    def __init__(self, config: Config, index: ProjectIndex) -> None:
        self.config = config
        self.index = index
        self.inference = ComponentInference(config.components)
        # The harness's health checks take their module's name even before scaffold writes them: a
        # feature called harness_health gets test_harness_health_2.py rather than the same file.
        taken = {path.name for path in index.modules} | {layout.health_module(config).name}
        self.state = _RunState(module_names=taken, steps_dir=config.tests / layout.STEP_DEFS_DIR)
        self.wiring = StepWiring(
            config, harness_source(layout.conftest(config)), writes_harness="system" not in index.fixtures
        )
        self.state.wiring = self.wiring
        self.features: list[FeaturePlan] = []
        self.diagnostics: list[Diagnostic] = []
        self._answers = Answers()
        self._worked: tuple[FeatureFile, _Ahead] | None = None
        self.system = (
            SystemUnderTest(config.system, f"[tool.redphase] system in {config.source}")
            if config.system
            else SystemUnderTest("", "set [tool.redphase] system = 'package.module:create_system' to name it")
        )

    def take(self, worked: object, file: object) -> None:
        """Answers the parsing child worked out ahead for `file` (see plan.ahead), just before it is added."""
        if not isinstance(worked, WorkedAhead) or not isinstance(file, FeatureFile):
            return
        self._worked = (file, _Ahead(*self._answers.of(worked)))

    def add(self, file: FeatureFile) -> FeaturePlan | None:
        worked, self._worked = self._worked, None
        if file.feature is None:
            self.diagnostics += check(file).diagnostics
            return None
        ahead = worked[1] if worked is not None and worked[0] is file else None
        feature = _plan_feature(
            file, file.feature, self.config, self.index, self.inference, self.state, ahead
        )
        self.features.append(feature)
        return feature

    def finish(self) -> HarnessPlan:
        unused = self.wiring.unused_system()
        if unused is not None:
            self.diagnostics.append(unused)
        components: dict[str, Component] = {}
        for feature in self.features:
            for component in feature.components:
                components.setdefault(component.name, component)
        markers = sorted(
            {
                marker
                for feature in self.features
                for scenario in feature.scenarios
                for marker in scenario.markers
            }
        )
        return HarnessPlan(
            root=self.config.root,
            tests=self.config.tests,
            system=self.system,
            components=tuple(components[name] for name in sorted(components)),
            features=tuple(self.features),
            markers=tuple(markers),
            definitions_by_key=dict(self.state.definitions),
            diagnostics=tuple(self.diagnostics),
            assembly=self.wiring.assembly if self.wiring.writes_harness else None,
            harness_module=self.wiring.harness_module,
            line_length=self.config.formatting.line_length,
        )

    def context(self) -> HarnessPlan:
        """What rendering one feature needs of the whole plan before the plan is finished."""
        return HarnessPlan(
            root=self.config.root,
            tests=self.config.tests,
            system=self.system,
            components=(),
            features=(),
            markers=(),
            definitions_by_key={},
            diagnostics=(),
            harness_module=self.wiring.harness_module,
            line_length=self.config.formatting.line_length,
        )


def _plan_feature(
    file: FeatureFile,
    feature: Feature,
    config: Config,
    index: ProjectIndex,
    inference: ComponentInference,
    state: _RunState,
    ahead: _Ahead | None = None,
) -> FeaturePlan:
    compatibility = check(file)
    copy_path = layout.runnable_copy(file.path, config) if compatibility.runnable_source else None
    bound_names = compatibility.bound_names
    bound_file = copy_path or file.path
    module = index.module_binding(bound_file) or _new_module_path(file.path, config, index, state)
    state.module_names.add(module.name)
    slug = module.stem.removeprefix("test_")
    steps_module = layout.steps_module(slug, config)
    existing_module = index.modules.get(module)
    test_names = state.names_by_module.setdefault(
        module, set(existing_module.names if existing_module else ())
    )
    step_names = state.names_by_module.setdefault(
        steps_module, set(index.modules[steps_module].names) if steps_module in index.modules else set()
    )
    feature_tags = [(tag.name, f"{file.display}:{tag.location.line}") for tag in feature.tags]
    new_definitions: list[StepDefinition] = []
    scenarios = []
    all_components: dict[str, Component] = {}
    for scenario, bound_name in zip(feature.scenarios, bound_names, strict=True):
        tags = feature_tags + [
            (tag.name, f"{file.display}:{tag.location.line}") for tag in scenario.rule_tags
        ]
        tags += [(tag.name, f"{file.display}:{tag.location.line}") for tag in scenario.tags]
        columns = example_columns(scenario)
        declared = inference.declared_by_tags(tags)
        for component in declared:
            all_components.setdefault(component.name, component)
        uses = []
        for step in scenario.all_steps:
            if ahead is not None:
                pattern, components = ahead.next()
            else:
                pattern = state.patterns(step.text, columns, feature.language)
                components = inference.touched_by(step.text)
            if declared:
                components = inference.apply_tags(components, declared)
            for component in components:
                all_components.setdefault(component.name, component)
            use, definition = _use_step(
                step, pattern, columns, module, file, components, config, index, state, step_names
            )
            uses.append(use)
            if definition is not None:
                new_definitions.append(definition)
        already = existing_module is not None and index.is_bound(module, bound_file, bound_name)
        test_name = "" if already else unique(state.test_names(scenario.name), test_names)
        test_names.add(test_name)
        scenarios.append(_scenario_plan(scenario, bound_name, test_name, tags, tuple(uses), already))
    return FeaturePlan(
        source=file.path,
        display=file.display,
        name=feature.name,
        description=feature.description,
        language=feature.language,
        module=module,
        steps_module=steps_module,
        binding=layout.binding(bound_file, module, config),
        runnable_copy=copy_path,
        runnable_source=compatibility.runnable_source,
        scenarios=tuple(scenarios),
        definitions=tuple(new_definitions),
        diagnostics=compatibility.diagnostics,
        components=tuple(all_components[name] for name in sorted(all_components)),
    )


def _new_module_path(feature: Path, config: Config, index: ProjectIndex, state: _RunState) -> Path:
    slug = layout.feature_slug(feature, config)
    candidate = layout.test_module(slug, config)
    # Without __init__.py files pytest cannot collect two test modules with one basename.
    counter = 2
    while candidate.name in state.module_names:
        candidate = layout.test_module(f"{slug}_{counter}", config)
        counter += 1
    return candidate


def _sample_texts(text: str, columns: Mapping[str, list[str]]) -> list[str]:
    """The texts pytest-bdd will match at run time: one per Examples row for outline steps."""
    if not columns or not PLACEHOLDER.search(text):
        return [text]
    rows = max((len(values) for values in columns.values()), default=0)
    if rows == 0:
        return [text]
    samples = []
    for row in range(rows):
        context = {name: values[row] for name, values in columns.items() if row < len(values)}
        samples.append(PLACEHOLDER.sub(lambda m, c=context: c.get(m.group(1), m.group(0)), text))  # type: ignore[misc]
    return samples


class _Ahead:
    """The child's answers for one feature's steps, taken in the order planning meets the steps."""

    def __init__(self, patterns: list[StepPattern], components: list[tuple[Component, ...]]) -> None:
        self._answers = zip(patterns, components, strict=True)

    def next(self) -> tuple[StepPattern, list[Component]]:
        pattern, components = next(self._answers)
        return pattern, list(components)


def _use_step(
    step: Step,
    pattern: StepPattern,
    columns: Mapping[str, list[str]],
    module: Path,
    file: FeatureFile,
    components: Sequence[Component],
    config: Config,
    index: ProjectIndex,
    state: _RunState,
    step_names: set[str],
) -> tuple[StepUse, StepDefinition | None]:
    key: StepKey = (step.kind, pattern.regex)
    samples = _sample_texts(step.text, columns)

    def use(key: StepKey = key, defined_at: str = "") -> StepUse:
        return StepUse(
            keyword=step.keyword,
            kind=step.kind,
            text=step.text,
            line=step.location.line,
            key=key,
            expression=pattern.expression,
            components=tuple(components),
            params=pattern.params,
            defined_at=defined_at,
        )

    if index.steps:
        existing = [index.definition_for(step.kind, sample, module, state.steps_dir) for sample in samples]
        if all(existing):
            found = existing[0]
            assert found is not None
            return use(defined_at=layout.display(found.path, config.root) + f":{found.line}"), None
    planned = state.definitions.get(key) or _planned_match(step.kind, samples, state)
    if planned is not None:
        return use(key=planned.key), None
    name = unique(step_function_name(step.kind, pattern.expression), step_names)
    step_names.add(name)
    definition = StepDefinition(
        kind=step.kind,
        expression=pattern.expression,
        parts=pattern.parts,
        params=pattern.params,
        function_name=name,
        takes_datatable=step.data_table is not None,
        takes_docstring=step.doc_string is not None,
        components=tuple(component.name for component in components),
        example_location=f"{file.display}:{step.location.line}",
    )
    if state.wiring is not None:
        params = [(param.name, param.type) for param in pattern.params]
        wiring = state.wiring.for_step(step.text, step.kind, params, pattern.expression)
        wired = bool(wiring) and wiring[0].confidence >= config.wire_threshold
        because = ""
        if wired and step.kind == "then" and is_negated(step.text):
            wired, because = False, NEGATED
        definition = replace(definition, wiring=wiring, wired=wired, unwired_because=because)
    state.definitions[key] = definition
    if definition.params:
        by_prefix = state.by_prefix.setdefault((step.kind, _first_word(definition)), {})
        by_prefix.setdefault(definition.literal_prefix, []).append((len(state.definitions), definition))
    return use(), definition


def _first_word(definition: StepDefinition) -> str:
    """The literal first word every matching text starts with, or "" when a parameter comes first."""
    literal = re.split(r"\{\w+\}|<[^>]+>", definition.expression, maxsplit=1)[0]
    return literal.split(" ", 1)[0] if " " in literal else ""


def _planned_match(kind: str, samples: list[str], state: _RunState) -> StepDefinition | None:
    """The first definition planned in this run that matches every sample: groups in the order of
    the samples' sorted first words, then the group whose definitions start with a parameter; within
    a group, the oldest first.
    """
    first = samples[0]
    prefixes = [first[:end] for end in range(len(first) + 1)]
    words = sorted({sample.split(" ", 1)[0] for sample in samples})
    for group in [(kind, word) for word in words] + [(kind, "")]:
        by_prefix = state.by_prefix.get(group)
        if not by_prefix:
            continue
        # A definition's literal prefix must begin every sample, so the first one's prefixes find them all.
        for _, definition in sorted(hit for prefix in prefixes for hit in by_prefix.get(prefix, ())):
            # The literal runs are checked before the regex, which is compiled only when they hold.
            if all(definition.could_match(sample) for sample in samples) and all(
                definition.compiled.fullmatch(sample) for sample in samples
            ):
                return definition
    return None


def _scenario_plan(
    scenario: Scenario,
    bound_name: str,
    test_name: str,
    tags: list[tuple[str, str]],
    uses: tuple[StepUse, ...],
    already: bool,
) -> ScenarioPlan:
    tag_names = [tag for tag, _ in tags] + [
        tag.name for examples in scenario.examples for tag in examples.tags
    ]
    names = tuple(dict.fromkeys(tag_names))
    touched: dict[str, Component] = {}
    for use in uses:
        for component in use.components:
            touched.setdefault(component.name, component)
    chain = ["system under test"] + [f"{c.name} ({c.treatment})" for c in touched.values()]
    outcomes = [use for use in uses if use.kind == "then"]
    outcome = (
        "; ".join(use.text for use in outcomes) if outcomes else "none stated: the scenario has no Then step"
    )
    criteria = tuple(f"{use.keyword.strip()} {use.text}" for use in outcomes)
    return ScenarioPlan(
        name=scenario.name,
        bound_name=bound_name,
        test_name=test_name,
        line=scenario.location.line,
        tags=names,
        markers=tuple(dict.fromkeys(marker_name(tag) for tag in names)),
        steps=uses,
        example_rows=sum(len(examples.rows) for examples in scenario.examples),
        has_outcome=scenario.has_outcome,
        scope=" → ".join(chain),
        outcome=outcome,
        criteria=criteria,
        already_bound=already,
    )
