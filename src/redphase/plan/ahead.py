"""What planning a feature needs that depends on the feature alone, worked out ahead by the parsing child.

A step's pattern and the components its words name are pure functions of its text (and its outline
columns, its language, the configured components), and they are most of planning's time. On a large
batch the parsing child, which waits on nothing, works them out for each feature it parses and sends
them with it, so that this process only looks them up. Each answer crosses the pipe once, with the
first feature that asks for it. The answers are the same wherever they are worked out, so a run
whose child sends none (a small batch, no fork, a child that died) plans exactly the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redphase.config import Config
from redphase.parse.model import FeatureFile
from redphase.plan.components import Component, ComponentInference
from redphase.plan.expressions import PatternKey, Patterns, StepPattern, example_columns, pattern_key


@dataclass(frozen=True)
class WorkedAhead:
    patterns: tuple[tuple[PatternKey, StepPattern], ...]
    components: tuple[tuple[str, tuple[Component, ...]], ...]


def work_ahead(config: Config) -> Callable[[FeatureFile], WorkedAhead | None]:
    """The work for the child: built here, before the fork, and run only there."""
    patterns = Patterns()
    inference = ComponentInference(config.components)
    sent_keys: set[PatternKey] = set()
    sent_texts: set[str] = set()

    def ahead(file: FeatureFile) -> WorkedAhead | None:
        if file.feature is None:
            return None
        language = file.feature.language
        new_patterns, new_components = [], []
        for scenario in file.feature.scenarios:
            columns = example_columns(scenario)
            for step in scenario.all_steps:
                key = pattern_key(step.text, columns, language)
                if key not in sent_keys:
                    sent_keys.add(key)
                    new_patterns.append((key, patterns.of_key(key)))
                if step.text not in sent_texts:
                    sent_texts.add(step.text)
                    new_components.append((step.text, tuple(inference.touched_by(step.text))))
        return WorkedAhead(tuple(new_patterns), tuple(new_components))

    return ahead
