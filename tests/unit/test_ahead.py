"""What the parsing child works out ahead is what planning would work out itself, sent once each."""

from __future__ import annotations

import pickle
from pathlib import Path

from redphase.config import load_config
from redphase.parse.model import FeatureFile
from redphase.parse.reader import read_feature
from redphase.plan.ahead import WorkedAhead, work_ahead
from redphase.plan.components import ComponentInference
from redphase.plan.expressions import Patterns
from tests.conftest import CORPUS, make_project


def test_each_answer_is_planning_own_and_crosses_once(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path / "p"))
    ahead = work_ahead(config)
    parsed = [read_feature(path, path.name) for path in sorted((CORPUS / "good").glob("*.feature"))]
    files = [file for file in parsed if isinstance(file, FeatureFile)]
    # As the child sends them: through pickle.
    answers = [(file, pickle.loads(pickle.dumps(ahead(file)))) for file in files]
    worked = [(file, w) for file, w in answers if isinstance(w, WorkedAhead)]
    keys = [key for file, w in worked for key, _ in w.patterns(file)]
    texts = [text for file, w in worked for text, _ in w.components(file)]
    assert len(keys) > 50
    assert len(keys) == len(set(keys))
    assert len(texts) == len(set(texts))
    patterns, inference = Patterns(), ComponentInference(config.components)
    for file, w in worked:
        for key, pattern in w.patterns(file):
            assert pattern == patterns.of_key(key)
        for text, components in w.components(file):
            assert list(components) == inference.touched_by(text)
    again = [ahead(file) for file in files]
    assert all(w is None or (not w.sent_patterns and not w.sent_components) for w in again)
