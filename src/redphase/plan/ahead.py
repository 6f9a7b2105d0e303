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
from dataclasses import dataclass
from typing import Literal

from redphase.config import Config
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


@dataclass(frozen=True)
class WorkedAhead:
    """Answers for some steps of one feature, each by the step's number in `_steps` order: the
    step's text and pattern key are in the feature that arrives with it, so they need not cross."""

    sent_patterns: tuple[tuple[int, _Pattern], ...]
    sent_components: tuple[tuple[int, tuple[_Component, ...]], ...]

    def patterns(self, file: FeatureFile) -> Iterator[tuple[PatternKey, StepPattern]]:
        steps = list(_steps(file))
        for number, (expression, regex, parts, params) in self.sent_patterns:
            pattern = StepPattern(
                expression,
                tuple(RegexPart(*part) for part in parts),
                tuple(Param(*param) for param in params),
                regex,
            )
            yield steps[number][0], pattern

    def components(self, file: FeatureFile) -> Iterator[tuple[str, tuple[Component, ...]]]:
        steps = list(_steps(file))
        for number, components in self.sent_components:
            yield steps[number][1], tuple(Component(*component) for component in components)


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
    sent_keys: set[PatternKey] = set()
    sent_texts: set[str] = set()

    def ahead(file: FeatureFile) -> WorkedAhead | None:
        if file.feature is None:
            return None
        new_patterns, new_components = [], []
        for number, (key, text) in enumerate(_steps(file)):
            if key not in sent_keys:
                sent_keys.add(key)
                new_patterns.append((number, _sent_pattern(patterns.of_key(key))))
            if text not in sent_texts:
                sent_texts.add(text)
                found = inference.touched_by(text)
                new_components.append((number, tuple((c.name, c.kind, c.treatment, c.reason) for c in found)))
        return WorkedAhead(tuple(new_patterns), tuple(new_components))

    return ahead
