"""What the parsing child works out ahead is what planning would work out itself, sent once each."""

from __future__ import annotations

import pickle
from pathlib import Path

from redphase.config import load_config
from redphase.parse.model import FeatureFile
from redphase.parse.reader import read_feature
from redphase.plan.ahead import Answers, WorkedAhead, _steps, work_ahead
from redphase.plan.components import ComponentInference
from redphase.plan.expressions import Patterns
from tests.conftest import CORPUS, make_project


def test_each_answer_is_planning_own_and_crosses_once(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path / "p"))
    ahead = work_ahead(config)
    parsed = [read_feature(path, path.name) for path in sorted((CORPUS / "good").glob("*.feature"))]
    files = [file for file in parsed if isinstance(file, FeatureFile)]
    # As the child sends them: through pickle, in order.
    worked = [(file, pickle.loads(pickle.dumps(ahead(file)))) for file in files]
    worked = [(file, w) for file, w in worked if isinstance(w, WorkedAhead)]
    keys = {key for file, _ in worked for key, _ in _steps(file)}
    texts = {text for file, _ in worked for _, text in _steps(file)}
    assert len(keys) > 50
    # Each distinct answer crosses once, with the first feature that meets it.
    assert sum(len(w.new_patterns) for _, w in worked) == len(keys)
    assert sum(len(w.new_components) for _, w in worked) == len(texts)
    answers = Answers()
    patterns, inference = Patterns(), ComponentInference(config.components)
    for file, w in worked:
        step_patterns, step_components = answers.of(w)
        steps = list(_steps(file))
        assert len(step_patterns) == len(step_components) == len(steps)
        for (key, text), pattern, components in zip(steps, step_patterns, step_components, strict=True):
            assert pattern == patterns.of_key(key)
            assert list(components) == inference.touched_by(text)
    again = [ahead(file) for file in files]
    assert all(w is None or (not w.new_patterns and not w.new_components) for w in again)
