"""A step that asks for a fixture nobody defines is told the closest one that exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import verify_results

pytestmark = pytest.mark.slow

STEPS = """\
import pytest
from pytest_bdd import given, scenarios, then

scenarios("../features/f.feature")


@pytest.fixture
def client():
    return 1


@given("a thing")
def _(clinet):
    pass


@then("it is ok")
def _():
    assert False
"""


def test_a_misspelt_fixture_that_a_step_asks_for_is_named_with_the_closest_one(tmp_path: Path) -> None:
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "f.feature").write_text(
        "Feature: F\n  Scenario: S\n    Given a thing\n    Then it is ok\n", encoding="utf-8"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_f.py").write_text(STEPS, encoding="utf-8")
    [result] = verify_results(tmp_path).values()
    assert result["verdict"] == "fixture-error"
    assert result["hint"] == "no fixture named 'clinet'; the closest existing fixture is 'client'"
