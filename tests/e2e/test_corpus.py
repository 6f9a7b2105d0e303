"""Acceptance 1 and 2: the official Gherkin corpus, good and bad."""

from __future__ import annotations

from pathlib import Path

import black
import pytest

from tests.conftest import CORPUS, StepOutcomes, make_project, run_cli, snapshot

GOOD = sorted((CORPUS / "good").glob("*.feature"))
BAD = sorted((CORPUS / "bad").glob("*.feature"))


def test_the_corpus_is_complete() -> None:
    assert (len(GOOD), len(BAD)) == (50, 12)


def test_every_good_file_scaffolds_into_one_red_project(
    pytester: pytest.Pytester, outcomes: StepOutcomes
) -> None:
    root = make_project(pytester.path, GOOD)
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "have no Then step, so nothing is asserted (verdict: no-outcome)" in result.output

    generated = sorted((root / "tests").rglob("*.py"))
    for path in generated:
        source = path.read_text(encoding="utf-8")
        assert black.format_str(source, mode=black.Mode()) == source, f"{path} is not black-clean"

    run = pytester.runpytest_inprocess(
        "tests", "--strict-markers", "-p", "no:cacheprovider", plugins=[outcomes]
    )
    reports = run.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    failed = {report.nodeid for report in reports if report.failed}
    collection = run.reprec.getreports("pytest_collectreport")  # type: ignore[attr-defined]
    assert not [report for report in collection if report.failed]
    assert len(failed) == 17
    # Every failure is an assertion in a Then step, reached after every Given and When passed.
    assert {outcomes.failures[nodeid] for nodeid in failed} == {("then", "AssertionError")}
    assert failed <= outcomes.reached_then
    # What passes is what has nothing to assert: scenarios without a Then, and the health checks.
    passed = {report.nodeid for report in reports if report.passed and report.when == "call"}
    assert passed
    assert not passed & outcomes.reached_then


@pytest.mark.parametrize("feature", BAD, ids=lambda path: path.name)
def test_each_bad_file_is_rejected_with_its_location_and_nothing_is_written(
    tmp_path: Path, feature: Path
) -> None:
    root = make_project(tmp_path, [feature])
    before = snapshot(root)
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 1
    assert f"features/{feature.name}:" in result.output
    expected = (CORPUS / "bad" / f"{feature.name}.errors.ndjson").read_text(encoding="utf-8")
    import json

    for line in expected.splitlines():
        location = json.loads(line)["parseError"]["source"]["location"]
        assert (
            f"{feature.name}:{location['line']}:{max(1, location.get('column', 1))}: error:" in result.output
        )
    assert snapshot(root) == before


def test_a_bad_file_does_not_stop_the_good_ones(tmp_path: Path) -> None:
    root = make_project(tmp_path, [BAD[0], CORPUS / "good" / "i18n_fr.feature"])
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 1
    assert (root / "tests" / "test_i18n_fr.py").is_file()
    assert not (root / "tests" / f"test_{BAD[0].stem}.py").exists()
