"""The parsing child is forked behind one gate, and the output is the same with it or without it."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from redphase.config import load_config
from redphase.parse import stream
from redphase.scaffold import scaffold
from tests.conftest import CORPUS, forks_counted, make_project, snapshot

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="the parsing child forks on Linux only")


@linux_only
def test_the_gate_opens_on_linux_with_no_other_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(stream.NO_FORK, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr("redphase.parse.stream._os_threads", lambda: 1)
    assert stream.fork_is_safe()
    monkeypatch.setenv(stream.NO_FORK, "0")
    assert stream.fork_is_safe()


@pytest.mark.parametrize("value", ["1", "yes"])
def test_the_knob_closes_the_gate(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr("redphase.parse.stream._os_threads", lambda: 1)
    monkeypatch.setenv(stream.NO_FORK, value)
    assert not stream.fork_is_safe()


def test_another_thread_closes_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(stream.NO_FORK, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not stream.fork_is_safe()


@linux_only
def test_a_native_thread_closes_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    # A thread that threading never sees (a C library's) is counted by the kernel, as Python 3.12 does.
    monkeypatch.delenv(stream.NO_FORK, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    started, stop = threading.Event(), threading.Event()
    worker = threading.Thread(target=lambda: (started.set(), stop.wait()))
    worker.start()
    try:
        started.wait()
        assert stream._os_threads() >= 2
        assert not stream.fork_is_safe()
    finally:
        stop.set()
        worker.join()


@pytest.mark.parametrize("platform", ["darwin", "win32", "freebsd14"])
def test_only_linux_forks(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    monkeypatch.delenv(stream.NO_FORK, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr("redphase.parse.stream._os_threads", lambda: 1)
    monkeypatch.setattr(sys, "platform", platform)
    assert not stream.fork_is_safe()


@linux_only
# The gate is opened on purpose inside a test process, which runs xdist's thread: Python 3.12+ says so.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")
def test_a_scaffold_writes_the_same_files_with_and_without_the_fork(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    features = sorted((CORPUS / "good").glob("*.feature")) + sorted((CORPUS / "bad").glob("*.feature"))
    assert len(features) >= stream.PARALLEL_FROM
    forked = make_project(tmp_path / "forked", features)
    here = make_project(tmp_path / "here", features)
    monkeypatch.delenv(stream.NO_FORK, raising=False)
    children = forks_counted(monkeypatch)
    with_fork = scaffold(load_config(forked), [], use_cache=False)
    assert children
    children.clear()
    monkeypatch.setenv(stream.NO_FORK, "1")
    without_fork = scaffold(load_config(here), [], use_cache=False)
    assert not children
    assert snapshot(forked) == snapshot(here)
    assert [d.render() for d in with_fork.diagnostics] == [d.render() for d in without_fork.diagnostics]
    assert (with_fork.features, with_fork.scenarios) == (without_fork.features, without_fork.scenarios)
