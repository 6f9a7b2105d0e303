"""Planning answers that depend on one feature alone, worked out where the feature was parsed.

For every step the planner needs its Cucumber pattern and the components its text names, and for
every scenario its test function's name: pure functions of the text, the outline's Examples and the
configuration, and about a third of planning. On a large run the parsing child works them out for
each feature it parses and sends them along, and the planner is told them (`Planner.absorb`). They
come from the planner's own functions, so the plan cannot depend on which process worked them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from redphase.config import Config
from redphase.parse.model import FeatureFile
from redphase.plan.components import Component, ComponentInference
from redphase.plan.expressions import PatternKey, Patterns, StepPattern, example_columns, pattern_key
from redphase.plan.names import test_name_base


@dataclass(frozen=True)
class Prepared:
    patterns: dict[PatternKey, StepPattern]
    touched: dict[str, list[Component]]
    test_names: dict[str, str]


class Preparer:
    """Prepares each feature in turn; an answer sent with an earlier feature is not sent again."""

    def __init__(self, config: Config) -> None:
        self._inference = ComponentInference(config.components)
        self._pattern_for = Patterns()
        self._patterns: set[PatternKey] = set()
        self._texts: set[str] = set()

    def __call__(self, file: FeatureFile) -> Prepared | None:
        if file.feature is None:
            return None
        patterns: dict[PatternKey, StepPattern] = {}
        touched: dict[str, list[Component]] = {}
        test_names: dict[str, str] = {}
        for scenario in file.feature.scenarios:
            test_names[scenario.name] = test_name_base(scenario.name)
            columns = example_columns(scenario)
            for step in scenario.all_steps:
                key = pattern_key(step.text, columns)
                if key not in self._patterns:
                    self._patterns.add(key)
                    pattern = patterns[key] = self._pattern_for(step.text, columns)
                    pattern.regex  # noqa: B018 - worked out here, so that it arrives with the pattern
                if step.text not in self._texts:
                    self._texts.add(step.text)
                    touched[step.text] = self._inference.touched_by(step.text)
        return Prepared(patterns, touched, test_names)
