"""verify's step index resolves every step exactly as pytest-bdd's own lookup does.

Each suite runs under `--redphase-step-index=check`: every step is looked up both ways, and the run
reports how many lookups there were and how many differed. The verdicts with the index on equal
those with it off. Real projects: `python benchmarks/real_projects.py steps`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from redphase.verify import step_index
from redphase.verify.runner import VerifyOptions, pytest_command
from tests.conftest import CORPUS, make_project, run_cli
from tests.e2e.test_fuzz import features

pytestmark = pytest.mark.slow

CHECKED = re.compile(r"redphase step index check: (\d+) lookups, (\d+) differ")

# Steps at every level pytest-bdd knows: plugin-like root conftest, a folder's conftest that
# overrides it, a module that overrides both, steps imported from a module, every parser, `step`
# of any type, target_fixture, a step defined twice in one module, and a step nobody defines.
HAND_WRITTEN = {
    "pyproject.toml": '[project]\nname = "hand"\nversion = "0"\n',
    "features/shop.feature": """\
Feature: Shop
  Background:
    Given a shop

  Scenario: Buying
    Given 3 apples in the basket
    When I pay "ten" euros
    Then the total is 30
    And the receipt says done

  Scenario: Overridden in the module
    Given a greeting
    When anything happens
    Then the greeting is module

  Scenario Outline: Rows
    Given <n> apples in the basket
    When I pay "<amount>" euros
    Then the total is <total>

    Examples:
      | n | amount | total |
      | 1 | one    | 10    |
      | 2 | two    | 20    |

  Scenario: Undefined
    Given a step nobody wrote
""",
    "tests/conftest.py": """\
from pytest_bdd import given, parsers, step, then


@given("a shop", target_fixture="shop")
def _():
    return {"basket": 0, "paid": None}


@given("a greeting", target_fixture="greeting")
def _():
    return "root"


@step("anything happens")
def _():
    pass


@then(parsers.re(r"the receipt says (?P<word>\\w+)"))
def _(word):
    assert word == "done"
""",
    "tests/shop/__init__.py": "",
    "tests/shop/conftest.py": """\
from pytest_bdd import given, parsers


@given("a greeting", target_fixture="greeting")
def _():
    return "folder"


@given(parsers.parse("{n:d} apples in the basket"))
def _(shop, n):
    shop["basket"] = n
""",
    "tests/shop/shared_steps.py": """\
from pytest_bdd import parsers, then, when


@when(parsers.cfparse('I pay "{amount}" euros'))
def _(shop, amount):
    shop["paid"] = amount


@then(parsers.parse("the total is {total:d}"))
def _(shop, total):
    assert shop["basket"] * 10 == total
""",
    "tests/shop/test_shop.py": """\
from pytest_bdd import given, scenarios, then

from tests.shop.shared_steps import *  # noqa: F403

scenarios("../../features/shop.feature")


@given("a greeting", target_fixture="greeting")
def _():
    return "first"


@given("a greeting", target_fixture="greeting")
def _():
    return "module"


@then("the greeting is module")
def _(greeting):
    assert greeting == "module"
""",
    "tests/other/__init__.py": "",
    "tests/other/test_other.py": """\
from pytest_bdd import scenarios, then

from tests.shop.shared_steps import *  # noqa: F403

scenarios("../../features/shop.feature")


@then("the greeting is module")
def _(greeting):
    assert greeting == "root", "this folder has no conftest of its own"
""",
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--redphase", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def _verdicts(project: Path, mode: str) -> dict[str, str]:
    target = project / f"verdicts-{mode}.json"
    _pytest(project, f"--redphase-json={target}", f"--redphase-step-index={mode}")
    return {result["nodeid"]: result["verdict"] for result in json.loads(target.read_text())["results"]}


def assert_resolved_as_pytest_bdd_does(project: Path) -> int:
    completed = _pytest(project, "--redphase-step-index=check")
    checked = CHECKED.search(completed.stderr)
    assert checked, completed.stdout[-2000:] + completed.stderr[-2000:]
    lookups, differ = map(int, checked.groups())
    assert differ == 0, completed.stderr[-4000:]
    assert lookups > 0
    assert _verdicts(project, "on") == _verdicts(project, "off")
    return lookups


def test_hand_written_steps_at_every_level(tmp_path: Path) -> None:
    project = _write(tmp_path, HAND_WRITTEN)
    assert assert_resolved_as_pytest_bdd_does(project) >= 30
    verdicts = _verdicts(project, "on")
    overridden = [v for nodeid, v in verdicts.items() if "overridden" in nodeid]
    # The module's later definition wins in tests/shop; tests/other sees the root conftest's.
    assert sorted(overridden) == ["passed", "passed"]
    assert sorted(v for nodeid, v in verdicts.items() if "undefined" in nodeid) == ["undefined-step"] * 2


def test_the_official_corpus(tmp_path: Path) -> None:
    project = make_project(tmp_path, sorted((CORPUS / "good").glob("*.feature")))
    run_cli("scaffold", "--project", str(project))
    assert assert_resolved_as_pytest_bdd_does(project) > 100


def test_the_fuzz_strategy(tmp_path: Path) -> None:
    texts: list[str] = []

    @settings(max_examples=25, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(features())
    def collect(text: str) -> None:
        texts.append(text)

    collect()
    project = make_project(tmp_path, {f"fuzz_{number}.feature": text for number, text in enumerate(texts)})
    run_cli("scaffold", "--project", str(project))
    assert assert_resolved_as_pytest_bdd_does(project) > 25


WHICH_LOOKUP = """\
import importlib


def test_which_lookup():
    lookup = importlib.import_module("pytest_bdd.scenario").find_fixturedefs_for_step
    print("LOOKUP", lookup.__qualname__)
"""


def _lookup_used(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", "--redphase", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    found = re.search(r"LOOKUP (\S+)", completed.stdout)
    assert found, completed.stdout[-2000:] + completed.stderr[-2000:]
    return found.group(1)


def test_it_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _write(
        tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = "0"\n', "test_x.py": WHICH_LOOKUP}
    )
    monkeypatch.delenv("REDPHASE_STEP_INDEX", raising=False)
    assert _lookup_used(project) == "StepIndex.find"
    assert _lookup_used(project, "--redphase-step-index=off") == "find_fixturedefs_for_step"
    import os

    off = dict(os.environ, REDPHASE_STEP_INDEX="0")
    assert _lookup_used(project, env=off) == "find_fixturedefs_for_step"
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\n\n[tool.redphase]\nstep-index = false\n', encoding="utf-8"
    )
    assert _lookup_used(project) == "find_fixturedefs_for_step"
    # redphase verify --no-step-index passes the choice to its pytest.
    command = pytest_command([], tmp_path / "v.json", VerifyOptions(step_index="off"))
    assert "--redphase-step-index=off" in command
    assert not any("step-index" in word for word in pytest_command([], tmp_path / "v.json", VerifyOptions()))


def test_pytest_bdds_own_lookup_on_any_other_version(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    scenario = importlib.import_module("pytest_bdd.scenario")
    theirs = scenario.find_fixturedefs_for_step
    monkeypatch.setattr(step_index, "version", lambda name: "9.1.0")
    index = step_index.StepIndex("on")
    index.install()
    assert scenario.find_fixturedefs_for_step is theirs
    assert not index.active
