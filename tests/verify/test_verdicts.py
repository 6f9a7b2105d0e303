"""Every row of the verdict table, from a project written by hand; serial and with pytest-xdist."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.verify.projects import EXPECTED, write_project

VERDICTS = {
    "good-red", "unwired-red", "passed", "undefined-step", "pending", "early-failure", "test-error",
    "fixture-error", "collection-error", "infrastructure-error", "teardown-error", "no-outcome",
    "health-ok", "health-failed", "skipped", "not-scenario",
}  # fmt: skip


def _verify(root: Path, *pytest_args: str) -> tuple[int, dict[str, Any], str]:
    out = root / "verdicts.json"
    report = root / "gaps.md"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "redphase",
            "verify",
            "--json",
            str(out),
            "--report",
            str(report),
            "--",
            "-p",
            "no:cacheprovider",
            *pytest_args,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    return (
        completed.returncode,
        json.loads(out.read_text(encoding="utf-8")),
        completed.stdout + completed.stderr,
    )


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], str]:
    return _verify(write_project(tmp_path_factory.mktemp("serial")))


@pytest.fixture(scope="module")
def parallel(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], str]:
    return _verify(write_project(tmp_path_factory.mktemp("parallel")), "-n", "2")


def _verdicts(document: dict[str, Any]) -> dict[str, str]:
    return {result["nodeid"]: result["verdict"] for result in document["results"]}


def test_every_verdict_of_the_table_is_covered() -> None:
    assert set(EXPECTED.values()) == VERDICTS


def test_each_test_gets_its_verdict(serial: tuple[int, dict[str, Any], str]) -> None:
    code, document, output = serial
    assert _verdicts(document) == EXPECTED, output
    assert code == 1


def test_xdist_gives_the_same_verdicts(
    serial: tuple[int, dict[str, Any], str], parallel: tuple[int, dict[str, Any], str]
) -> None:
    assert _verdicts(parallel[1]) == _verdicts(serial[1]), parallel[2]


def test_json_follows_the_contract(serial: tuple[int, dict[str, Any], str]) -> None:
    document = serial[1]
    assert document["summary"] == {verdict: list(EXPECTED.values()).count(verdict) for verdict in VERDICTS}
    for result in document["results"]:
        for key in (
            "nodeid",
            "verdict",
            "feature",
            "scenario",
            "step",
            "exception",
            "message",
            "hint",
            "reproduce",
        ):
            assert key in result
        if result["verdict"] not in ("good-red", "health-ok", "skipped", "not-scenario"):
            assert shlex.split(result["reproduce"].split(" && ", 1)[1])[3] == result["nodeid"]
            assert result["purpose"]


def test_failed_steps_are_named(serial: tuple[int, dict[str, Any], str]) -> None:
    results = {result["nodeid"]: result for result in serial[1]["results"]}
    early = results["tests/test_kinds.py::test_payment_fails_early"]
    assert early["step"] == {"keyword": "When", "type": "when", "text": "the customer pays 10", "line": 11}
    assert early["exception"] == "ValueError"
    good = results["tests/test_cart.py::test_total_of_a_cart"]
    assert good["step"]["type"] == "then"


def test_hints_a_person_can_act_on(serial: tuple[int, dict[str, Any], str]) -> None:
    results = {result["nodeid"]: result for result in serial[1]["results"]}
    assert results["tests/test_moved.py"]["hint"].endswith("from shop.pricing import compute_total")
    assert results["tests/test_moved.py"]["location"] == "tests/test_moved.py:1"
    assert 'markers = [\n    "unregistered_tag: ' in results["tests/test_tagged.py"]["hint"]
    assert "@given(" in results["tests/test_kinds.py::test_undefined"]["hint"]
    assert "a step nobody wrote" in results["tests/test_kinds.py::test_undefined"]["hint"]
    assert "127.0.0.1:" in results["tests/test_infra.py::test_service_down"]["hint"]
    assert "target_fixture='database_session'" in results["tests/test_kinds.py::test_missing_fixture"]["hint"]
    assert results["tests/test_body.py::test_body_checks"]["hint"].startswith(
        "the test failed outside its steps, in the test function's own body"
    )
    leaky = results["tests/test_teardown.py::test_leaky_fixture"]
    assert leaky["why"] == "a fixture failed while tearing down, after the test was good-red"
    assert (leaky["phase"], leaky["exception"]) == ("teardown", "RuntimeError")
    assert leaky["message"] == "could not drop the test database"
    undefined = results["tests/test_teardown.py::test_leaky_and_undefined"]
    assert undefined["why"].endswith("; then a fixture failed while tearing down too")
    assert "@then(" in undefined["hint"]
    crash = results["tests/test_kinds.py::test_application_crashes_in_then"]
    assert crash["why"].startswith("KeyError was raised inside application code during a Then step")
    assert crash["hint"].startswith("the application raised KeyError while the Then step read the outcome")


def test_the_gaps_report_lists_the_good_reds(tmp_path: Path, serial: tuple[int, dict[str, Any], str]) -> None:
    root = tmp_path / "again"
    _, _, _ = _verify(write_project(root))
    text = (root / "gaps.md").read_text(encoding="utf-8")
    assert text.startswith("# Red Phase Business Logic Gaps Identified")
    assert "Total of a cart" in text
    assert "When the total is computed" in text
    assert "## Fix before implementing: bad reds" in text


def test_plain_pytest_with_the_flag_prints_the_summary(tmp_path: Path) -> None:
    root = write_project(tmp_path / "plain")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--redphase", "-p", "no:cacheprovider", "tests/test_cart.py"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert "redphase verdicts" in completed.stdout
    assert "good-red (3)" in completed.stdout
    assert "\x1b[" not in completed.stdout


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ([sys.executable, "-O", "-m", "redphase", "verify"], "python -O"),
        ([sys.executable, "-m", "redphase", "verify", "--", "--assert=plain"], "--assert=plain"),
    ],
)
def test_it_refuses_to_run_where_asserts_vanish(tmp_path: Path, command: list[str], message: str) -> None:
    root = write_project(tmp_path / "refuse")
    completed = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert message in completed.stdout + completed.stderr


def test_a_fully_good_red_suite_exits_0(tmp_path: Path) -> None:
    root = write_project(tmp_path / "good")
    code, document, output = _verify(root, "tests/test_cart.py", "tests/test_health.py::test_cart_assembles")
    assert set(_verdicts(document).values()) == {"good-red", "health-ok"}, output
    assert code == 0


def test_unwired_reds_pass_only_when_allowed(tmp_path: Path) -> None:
    root = write_project(tmp_path / "unwired")
    strict = subprocess.run(
        [sys.executable, "-m", "redphase", "verify", "tests/test_unwired.py", "--", "-p", "no:cacheprovider"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    allowed = subprocess.run(
        [sys.executable, "-m", "redphase", "verify", "--allow-unwired", "tests/test_unwired.py", "--", "-p", "no:cacheprovider"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (strict.returncode, allowed.returncode) == (1, 0)


def test_a_flat_project_without_configuration_is_judged(tmp_path: Path) -> None:
    """No src/, no [tool.redphase]: the top-level module is the application, the test module is not."""
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    (tmp_path / "calc.py").write_text("def add(a, b):\n    return 0\n", encoding="utf-8")
    (tmp_path / "calc.feature").write_text(
        "Feature: Calc\n  Scenario: Add\n    When I add 2 and 3\n    Then the result is 5\n", encoding="utf-8"
    )
    (tmp_path / "test_calc.py").write_text(
        "import pytest\nfrom pytest_bdd import parsers, scenarios, then, when\n\nimport calc\n\n"
        'scenarios("calc.feature")\n\n\n@pytest.fixture\ndef box():\n    return {}\n\n\n'
        '@when(parsers.parse("I add {a:d} and {b:d}"))\ndef _(box, a, b):\n    box["r"] = calc.add(a, b)\n\n\n'
        '@then(parsers.parse("the result is {n:d}"))\ndef _(box, n):\n    assert box["r"] == n\n',
        encoding="utf-8",
    )
    code, document, output = _verify(tmp_path)
    assert _verdicts(document) == {"test_calc.py::test_add": "good-red"}, output
    assert code == 0


def test_a_stub_in_the_application_is_judged_where_it_stops_the_scenario(tmp_path: Path) -> None:
    """pending is for a stub in the test code; the application's NotImplementedError is the
    application's own exception: before the outcome (early-failure) or while reading it (test-error)."""
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    (tmp_path / "tally.py").write_text(
        "VOTES = {}\n\n\ndef cast(name):\n    raise NotImplementedError\n\n\n"
        "def total(name):\n    raise NotImplementedError\n",
        encoding="utf-8",
    )
    (tmp_path / "tally.feature").write_text(
        "Feature: Tally\n"
        "  Scenario: Cast\n    When I vote for ada\n    Then ada has 1 vote\n"
        "  Scenario: Count\n    Given nothing was cast\n    Then ada has 1 vote\n"
        "  Scenario: Stub step\n    Given a step nobody has written yet\n    Then ada has 1 vote\n",
        encoding="utf-8",
    )
    (tmp_path / "test_tally.py").write_text(
        "from pytest_bdd import given, parsers, scenarios, then, when\n\nimport tally\n\n"
        'scenarios("tally.feature")\n\n\n'
        '@given("nothing was cast")\ndef _():\n    tally.VOTES.clear()\n\n\n'
        '@given("a step nobody has written yet")\ndef _():\n    raise NotImplementedError\n\n\n'
        '@when(parsers.parse("I vote for {name}"))\ndef _(name):\n    tally.cast(name)\n\n\n'
        '@then(parsers.parse("{name} has {n:d} vote"))\ndef _(name, n):\n    assert tally.total(name) == n\n',
        encoding="utf-8",
    )
    code, document, output = _verify(tmp_path)
    assert _verdicts(document) == {
        "test_tally.py::test_cast": "early-failure",
        "test_tally.py::test_count": "test-error",
        "test_tally.py::test_stub_step": "pending",
    }, output
    hints = {result["nodeid"]: result["hint"] for result in document["results"]}
    assert "application code this step calls raises NotImplementedError" in hints["test_tally.py::test_cast"]
    assert "application code this step calls raises NotImplementedError" in hints["test_tally.py::test_count"]
    assert "NotImplementedError stub" in hints["test_tally.py::test_stub_step"]
    assert code == 1
