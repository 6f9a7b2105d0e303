"""The scaffolded conftest loads the step modules where tests run, and only there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_project

pytestmark = pytest.mark.slow

CART = (
    "Feature: Cart\n"
    "  Scenario: Total\n    Given a cart\n    When I add 2 and 3\n    Then the total is 5\n"
    "  Scenario: Empty\n    Given a cart\n    Then the total is 0\n"
)
# Appended to every step module: which process imported it, one line per import.
_RECORD = """

import os as _os

with open({log!r}, "a", encoding="utf-8") as _log:
    _log.write(_os.environ.get("PYTEST_XDIST_WORKER", "main") + "\\n")
"""


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Without the variables of the xdist worker this test may itself run in.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_XDIST")}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, env=env)


def _project(tmp_path: Path, tests: str = "tests") -> tuple[Path, Path]:
    root = make_project(tmp_path / "shop", {"cart.feature": CART})
    with (root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(f'\n[tool.redphase]\ntests = "{tests}"\n')
    done = _run([sys.executable, "-m", "redphase", "scaffold"], root)
    assert done.returncode == 0, done.stderr
    log = tmp_path / "imports.log"
    for module in (root / tests / "step_defs").glob("*_steps.py"):
        with module.open("a", encoding="utf-8") as steps:
            steps.write(_RECORD.format(log=str(log)))
    return root, log


def _verify(root: Path, *pytest_args: str) -> dict[str, str]:
    target = root / "verdicts.json"
    command = [sys.executable, "-m", "redphase", "verify", f"--json={target}", "--", "-p", "no:randomly"]
    done = _run([*command, *pytest_args], root)
    assert target.is_file(), done.stdout + done.stderr
    document = json.loads(target.read_text(encoding="utf-8"))
    return {result["nodeid"]: result["verdict"] for result in document["results"]}


def _importers(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.is_file() else []
    log.unlink(missing_ok=True)
    return sorted(lines)


def test_an_xdist_controller_never_imports_the_step_modules_and_its_workers_find_every_step(
    tmp_path: Path,
) -> None:
    root, log = _project(tmp_path)
    serial = _verify(root)
    assert _importers(log) == ["main"]
    assert set(serial.values()) == {"unwired-red", "health-ok"}, serial  # every step was found
    parallel = _verify(root, "-n", "2")
    assert _importers(log) == ["gw0", "gw1"]
    assert parallel == serial


@pytest.mark.parametrize("arguments", [["--collect-only", "-q"], ["--collect-only", "-q", "-n", "2"]])
def test_a_run_that_only_collects_still_sees_every_step(tmp_path: Path, arguments: list[str]) -> None:
    root, log = _project(tmp_path)
    done = _run([sys.executable, "-m", "pytest", *arguments, "-p", "no:randomly"], root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_total" in done.stdout
    assert _importers(log) == ["main"]


def test_a_conftest_that_pytest_meets_only_while_collecting_loads_the_steps_too(tmp_path: Path) -> None:
    # pytest loads conftest.py files below the rootdir's test* folders only when collection reaches
    # them, after configuration: the loader runs then, before pytest reads the conftest's fixtures.
    root, log = _project(tmp_path, tests="qa/bdd")
    verdicts = _verify(root)
    assert _importers(log) == ["main"]
    assert set(verdicts.values()) == {"unwired-red", "health-ok"}, verdicts
