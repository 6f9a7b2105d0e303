"""Parsing in a forked child hands over exactly what parsing here would, in order, even if the child dies."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from redphase.parse import stream
from redphase.parse.reader import read_feature
from tests.conftest import CORPUS

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def jobs(tmp_path: Path) -> list[tuple[Path, str]]:
    files = sorted((CORPUS / "good").glob("*.feature")) + sorted((CORPUS / "bad").glob("*.feature"))
    assert len(files) >= stream.PARALLEL_FROM
    return [(path, path.name) for path in files]


def test_a_large_batch_is_parsed_in_a_child_and_arrives_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as in a plain CLI run
    forked = []
    fork = os.fork

    def counting_fork() -> int:
        forked.append(True)
        return fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    expected = [read_feature(path, shown) for path, shown in jobs(tmp_path)]
    assert list(stream.read_in_order(jobs(tmp_path))) == expected
    assert forked


def test_a_child_that_dies_hands_the_rest_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(stream, "_parse_into", lambda descriptor, jobs: os._exit(3))
    expected = [read_feature(path, shown) for path, shown in jobs(tmp_path)]
    assert list(stream.read_in_order(jobs(tmp_path))) == expected


def test_stopping_early_leaves_no_child_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    results = stream.read_in_order(jobs(tmp_path))
    next(results)
    results.close()  # reaps the child: a zombie would make waitpid below find it
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
