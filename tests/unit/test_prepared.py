"""What the parsing child prepares changes nothing: the same files as planning everything here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from redphase.config import load_config
from redphase.parse import stream
from redphase.plan import expressions
from redphase.scaffold import scaffold
from tests.conftest import CORPUS, forks_counted, make_project, snapshot

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the parsing child forks on Linux only")


def test_a_run_with_a_preparing_child_writes_what_a_run_without_one_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    features = sorted((CORPUS / "good").glob("*.feature"))
    assert len(features) >= stream.PARALLEL_FROM
    here = make_project(tmp_path / "here", features)
    forked = make_project(tmp_path / "forked", features)
    monkeypatch.setattr(stream, "PARALLEL_FROM", 10**9)
    scaffold(load_config(here), [], use_cache=False)
    monkeypatch.undo()
    worked_out_here = []
    work_out = expressions._pattern_for

    def counting_pattern_for(*key: object, **options: object) -> object:
        worked_out_here.append(key)  # the child's calls land in the child's copy of this list
        return work_out(*key, **options)

    monkeypatch.setattr(expressions, "_pattern_for", counting_pattern_for)
    children = forks_counted(monkeypatch)
    scaffold(load_config(forked), [], use_cache=False)
    assert children
    assert snapshot(forked / "tests") == snapshot(here / "tests")
    assert worked_out_here == []  # every pattern came prepared from the child
