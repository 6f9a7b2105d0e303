"""A project that already binds its features keeps its own test modules: scaffold binds nothing twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

STEPS = """\
from pytest_bdd import parsers, scenarios, then, when

scenarios({where!r})


@when(parsers.parse("I add {{a:d}} and {{b:d}}"))
def _(a, b):
    pass


@then(parsers.parse("the total is {{n:d}}"))
def _(n):
    assert n == 5
"""


@pytest.mark.parametrize("where", ["shop", "shop/cart.feature"])
def test_features_bound_by_a_folder_or_a_file_are_not_bound_again(tmp_path: Path, where: str) -> None:
    (tmp_path / "features/shop").mkdir(parents=True)
    (tmp_path / "features/shop/cart.feature").write_text(
        "Feature: Cart\n  Scenario: Total\n    When I add 2 and 3\n    Then the total is 5\n",
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nbdd_features_base_dir = "features"\n', encoding="utf-8"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_all.py").write_text(STEPS.format(where=where), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "redphase", "scaffold"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    written = sorted(path.name for path in (tmp_path / "tests").rglob("*.py"))
    assert written == ["conftest.py", "test_all.py", "test_harness_health.py"], completed.stdout
