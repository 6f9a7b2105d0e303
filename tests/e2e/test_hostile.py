"""Acceptance 3: hostile step text compiles, stays inside the project, and is still red."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import DATA, StepOutcomes, make_project, run_cli, snapshot

HOSTILE = (DATA / "hostile.feature").read_text(encoding="utf-8")


def test_hostile_text_is_data_not_code_and_every_scenario_is_red(
    pytester: pytest.Pytester, outcomes: StepOutcomes
) -> None:
    sandbox = pytester.path / "sandbox"
    root = make_project(sandbox / "my project", {"dir with spaces/hostile.feature": HOSTILE})
    (sandbox / "neighbour.txt").write_text("untouched", encoding="utf-8")
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    for path in (root / "tests").rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    run = pytester.runpytest_inprocess(
        str(root / "tests"), "--strict-markers", "-p", "no:cacheprovider", plugins=[outcomes]
    )
    reports = run.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    failed = {report.nodeid for report in reports if report.failed}
    assert len(failed) == 6
    assert {outcomes.failures[nodeid] for nodeid in failed} == {("then", "AssertionError")}
    assert not list(pytester.path.rglob("PWNED"))
    assert sorted(path.name for path in sandbox.iterdir()) == ["my project", "neighbour.txt"]


def test_a_feature_outside_the_project_is_refused(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project", {"ok.feature": "Feature: ok\n  Scenario: s\n    Then it holds\n"}
    )
    (tmp_path / "evil.feature").write_text(
        "Feature: evil\n  Scenario: s\n    Then it holds\n", encoding="utf-8"
    )
    before = snapshot(tmp_path)
    result = run_cli("scaffold", "../evil.feature", cwd=root)
    assert result.exit_code == 1
    assert "outside the project" in result.output
    assert snapshot(tmp_path) == before


def test_a_tests_folder_outside_the_project_is_a_usage_error(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project", {"ok.feature": "Feature: ok\n  Scenario: s\n    Then it holds\n"}
    )
    result = run_cli("scaffold", "--tests", "../../elsewhere", cwd=root)
    assert result.exit_code == 2
    assert "outside the project" in result.output
    assert not (tmp_path / "elsewhere").exists()


def test_a_symlinked_tests_folder_pointing_outside_is_refused(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project", {"ok.feature": "Feature: ok\n  Scenario: s\n    Then it holds\n"}
    )
    (tmp_path / "elsewhere").mkdir()
    (root / "tests").symlink_to(tmp_path / "elsewhere")
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code != 0
    assert list((tmp_path / "elsewhere").iterdir()) == []
