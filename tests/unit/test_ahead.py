"""What the parsing child works out ahead is what planning would work out itself, sent once each."""

from __future__ import annotations

from pathlib import Path

from redphase.config import load_config
from redphase.parse.reader import read_feature
from redphase.plan.ahead import WorkedAhead, work_ahead
from redphase.plan.components import ComponentInference
from redphase.plan.expressions import Patterns
from tests.conftest import CORPUS, make_project


def test_each_answer_is_planning_own_and_crosses_once(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path / "p"))
    ahead = work_ahead(config)
    files = [read_feature(path, path.name) for path in sorted((CORPUS / "good").glob("*.feature"))]
    worked = [ahead(file) for file in files if not isinstance(file, list)]
    answers = [w for w in worked if isinstance(w, WorkedAhead)]
    keys = [key for w in answers for key, _ in w.patterns]
    texts = [text for w in answers for text, _ in w.components]
    assert len(keys) > 50
    assert len(keys) == len(set(keys))
    assert len(texts) == len(set(texts))
    patterns, inference = Patterns(), ComponentInference(config.components)
    for w in answers:
        for key, pattern in w.patterns:
            assert pattern == patterns.of_key(key)
        for text, components in w.components:
            assert list(components) == inference.touched_by(text)
    again = [ahead(file) for file in files if not isinstance(file, list)]
    assert all(w is None or (not w.patterns and not w.components) for w in again)
