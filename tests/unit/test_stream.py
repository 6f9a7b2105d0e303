"""Parsing in a forked child hands over exactly what parsing here would, in order, even if the child dies."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path

import pytest

from redphase.parse import stream
from redphase.parse.reader import read_feature
from tests.conftest import CORPUS, forks_counted

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="the parsing child forks on Linux only"),
    # These tests open the fork gate on purpose inside a test process (xdist's own thread runs in
    # it): Python 3.12+ says so, and the product's gate would have stayed shut.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning"),
]


@pytest.fixture(autouse=True)
def _forking_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(stream.NO_FORK, raising=False)


def jobs(tmp_path: Path) -> list[tuple[Path, str]]:
    files = sorted((CORPUS / "good").glob("*.feature")) + sorted((CORPUS / "bad").glob("*.feature"))
    assert len(files) >= stream.PARALLEL_FROM
    return [(path, path.name) for path in files]


def test_a_large_batch_is_parsed_in_a_child_and_arrives_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked = forks_counted(monkeypatch)
    expected = [read_feature(path, shown) for path, shown in jobs(tmp_path)]
    with contextlib.closing(stream.read_in_order(jobs(tmp_path))) as results:
        assert list(results) == expected
    assert forked


def test_a_child_that_dies_hands_the_rest_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr("redphase.parse.stream._os_threads", lambda: 1)
    monkeypatch.setattr(stream, "_parse_into", lambda descriptor, jobs, ahead: os._exit(3))
    expected = [read_feature(path, shown) for path, shown in jobs(tmp_path)]
    with contextlib.closing(stream.read_in_order(jobs(tmp_path))) as results:
        assert list(results) == expected


def test_work_ahead_arrives_before_its_feature_and_a_failure_in_it_hands_the_rest_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forks_counted(monkeypatch)
    expected = [read_feature(path, shown) for path, shown in jobs(tmp_path)]
    names = [path.name for path, _ in jobs(tmp_path)]
    order: list[object] = []
    with contextlib.closing(
        stream.read_in_order(jobs(tmp_path), lambda f: f.path.name, lambda w, f: order.append(w))
    ) as results:
        for result in results:
            order.append(result)
    assert [item for item in order if not isinstance(item, str)] == expected
    worked = [item for item in order if isinstance(item, str)]
    assert worked
    assert set(worked) <= set(names)
    # Each piece of work comes just before the feature it was done for.
    for at, item in enumerate(order):
        if isinstance(item, str):
            after = order[at + 1]
            assert not isinstance(after, list)
            assert not isinstance(after, str)
            assert after.path.name == item

    def failing(file: object) -> object:
        raise RuntimeError("the work ahead failed")

    with contextlib.closing(
        stream.read_in_order(jobs(tmp_path), failing, lambda w, f: order.append(w))
    ) as results:
        assert list(results) == expected


def _forked_children(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids the parsing forks, so a test asks about its own child and no other process's."""
    children: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return children


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # not our child any more: it was waited for
    return False


def test_stopping_early_leaves_no_child_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr("redphase.parse.stream._os_threads", lambda: 1)
    children = _forked_children(monkeypatch)
    results = stream.read_in_order(jobs(tmp_path))
    next(results)
    results.close()  # reaps the child: a zombie would make waitpid below find it
    assert len(children) == 1
    assert _reaped(children[0])


def test_closing_before_the_first_result_leaves_no_child_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr("redphase.parse.stream._os_threads", lambda: 1)
    children = _forked_children(monkeypatch)
    stream.read_in_order(jobs(tmp_path)).close()
    assert all(_reaped(pid) for pid in children)
