"""Staged writes: nothing in place until the whole run has rendered, and nothing left behind if it fails."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from redphase import pipeline
from redphase.config import load_config
from redphase.scaffold import scaffold
from redphase.write.files import Staging
from tests.conftest import make_project, snapshot

FEATURE = "Feature: {name}\n  Scenario: One\n    Given a {name}\n    Then the {name} is ready\n"


def test_a_run_that_fails_half_way_leaves_the_project_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        tmp_path / "shop", {f"f{n}.feature": FEATURE.format(name=f"thing{n}") for n in range(6)}
    )
    before = snapshot(root)
    render = pipeline._feature_files
    rendered = []

    def failing_on_the_fourth(*arguments: object) -> object:
        rendered.append(True)
        if len(rendered) == 4:
            raise RuntimeError("rendering failed")
        return render(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_feature_files", failing_on_the_fourth)
    with pytest.raises(RuntimeError, match="rendering failed"):
        scaffold(load_config(root), [])
    assert snapshot(root) == before  # no test module, no staged file, not even the tests folder
    assert not (root / "tests").exists()


def test_staged_files_appear_only_at_commit_and_the_last_text_wins(tmp_path: Path) -> None:
    staging = Staging(tmp_path)
    target = staging.guard.inside(tmp_path / "tests" / "test_a.py")
    staging.stage(target, "first\n")
    staging.stage(target, "second\n")
    staging.stage(staging.guard.inside(tmp_path / "tests" / "test_b.py"), "not committed\n")
    assert not target.exists()
    staging.commit([target])
    assert target.read_text(encoding="utf-8") == "second\n"
    assert sorted(path.name for path in (tmp_path / "tests").iterdir()) == ["test_a.py"]


def test_a_replaced_file_keeps_its_mode_and_reaches_the_disk_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "tests" / "test_mine.py"
    mine.parent.mkdir()
    mine.write_text("# a person's module\n", encoding="utf-8")
    mine.chmod(0o600)
    synced = []
    fsync = os.fsync

    def counting_fsync(descriptor: int) -> None:
        synced.append(descriptor)
        fsync(descriptor)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    staging = Staging(tmp_path)
    mine, new = staging.guard.inside(mine), staging.guard.inside(tmp_path / "tests" / "test_new.py")
    staging.stage(mine, "# a person's module\n\n\ndef test_new():\n    pass\n")
    staging.stage(new, "# new\n")
    staging.commit([mine, new])
    assert len(synced) == 1  # only the person's file waits on the disk
    assert stat.S_IMODE(mine.stat().st_mode) == 0o600
    assert mine.read_text(encoding="utf-8").startswith("# a person's module\n")
