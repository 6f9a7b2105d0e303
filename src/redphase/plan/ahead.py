"""What planning a feature needs that depends on the feature alone, worked out ahead by the parsing child.

A step's pattern and the components its words name are pure functions of its text (and its outline
columns, its language, the configured components), and they are most of planning's time. On a large
batch the parsing child, which waits on nothing, works them out for each feature it parses and sends
them with it, so that this process only looks them up. Each answer crosses the pipe once, with the
first feature that asks for it. The answers are the same wherever they are worked out, so a run
whose child sends none (a small batch, no fork, a child that died) plans exactly the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

from redphase.config import Config
from redphase.frozen import frozen
from redphase.parse.model import FeatureFile
from redphase.plan.components import Component, ComponentInference
from redphase.plan.expressions import (
    Param,
    PatternKey,
    Patterns,
    RegexPart,
    StepPattern,
    example_columns,
    pattern_key,
)
from redphase.plan.param_names import ParamType

# As they cross the pipe: plain tuples of strings, which pickle in a fraction of the bytes and time
# the model's dataclasses take (field names and a class reference for every part and parameter).
_Part = tuple[str, str, str]
_Param = tuple[str, ParamType, Literal["text", "placeholder"], str]
_Pattern = tuple[str, str, tuple[_Part, ...], tuple[_Param, ...]]
_Component = tuple[str, str, str, str]


@frozen
class WorkedAhead:
    """The answers for every step of one feature, in `_steps` order, each as the number of the answer
    in the run's sequence of distinct answers: those first met in this feature come with it, after
    the ones before it. The step's text and pattern key are in the feature itself, so neither crosses,
    and this process never works out a key at all."""

    pattern_numbers: tuple[int, ...]
    new_patterns: tuple[_Pattern, ...]
    component_numbers: tuple[int, ...]
    new_components: tuple[tuple[_Component, ...], ...]


class Answers:
    """The run's distinct answers, in the order the child numbered them, kept by the planner."""

    def __init__(self) -> None:
        self._patterns: list[StepPattern] = []
        self._components: list[tuple[Component, ...]] = []

    def of(self, worked: WorkedAhead) -> tuple[list[StepPattern], list[tuple[Component, ...]]]:
        """Each step's pattern and components, in `_steps` order."""
        for expression, regex, parts, params in worked.new_patterns:
            self._patterns.append(
                StepPattern(
                    expression,
                    tuple(RegexPart(*part) for part in parts),
                    tuple(Param(*param) for param in params),
                    regex,
                )
            )
        for components in worked.new_components:
            self._components.append(tuple(Component(*component) for component in components))
        patterns, found = self._patterns, self._components
        return [patterns[n] for n in worked.pattern_numbers], [found[n] for n in worked.component_numbers]


def _steps(file: FeatureFile) -> Iterator[tuple[PatternKey, str]]:
    """Each step's pattern key and text, in the order planning meets them."""
    if file.feature is None:
        return
    language = file.feature.language
    for scenario in file.feature.scenarios:
        columns = example_columns(scenario)
        for step in scenario.all_steps:
            yield pattern_key(step.text, columns, language), step.text


def _sent_pattern(pattern: StepPattern) -> _Pattern:
    parts = tuple((part.text, part.group, part.constant) for part in pattern.parts)
    params = tuple((param.name, param.type, param.origin, param.placeholder) for param in pattern.params)
    return pattern.expression, pattern.regex, parts, params


def work_ahead(config: Config) -> Callable[[FeatureFile], WorkedAhead | None]:
    """The work for the child: built here, before the fork, and run only there."""
    patterns = Patterns()
    inference = ComponentInference(config.components)
    pattern_numbers: dict[PatternKey, int] = {}
    component_numbers: dict[str, int] = {}

    def ahead(file: FeatureFile) -> WorkedAhead | None:
        if file.feature is None:
            return None
        new_patterns: list[_Pattern] = []
        new_components: list[tuple[_Component, ...]] = []
        numbers, component_numbers_here = [], []
        for key, text in _steps(file):
            number = pattern_numbers.get(key)
            if number is None:
                number = pattern_numbers[key] = len(pattern_numbers)
                new_patterns.append(_sent_pattern(patterns.of_key(key)))
            numbers.append(number)
            number = component_numbers.get(text)
            if number is None:
                number = component_numbers[text] = len(component_numbers)
                found = inference.touched_by(text)
                new_components.append(tuple((c.name, c.kind, c.treatment, c.reason) for c in found))
            component_numbers_here.append(number)
        return WorkedAhead(
            tuple(numbers), tuple(new_patterns), tuple(component_numbers_here), tuple(new_components)
        )

    return ahead
