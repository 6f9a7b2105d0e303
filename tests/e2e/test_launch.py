"""The console command runs a plain re-scaffold without click, exactly as the full CLI would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from redphase import __version__
from tests.conftest import make_project

FEATURE = "Feature: Cart\n  Scenario: Total\n    Given a cart\n    Then the total is 5\n"
NO_THEN = "Feature: Quiet\n  Scenario: Nothing asserted\n    Given a cart\n"

# Runs the console command's entry point and reports whether click was imported on the way.
_PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('click loaded' if 'click' in sys.modules else 'click not loaded', file=sys.stderr))\n"
    "from redphase.launch import main\n"
    "sys.argv = ['redphase', *sys.argv[1:]]\n"
    "main()\n"
)


def launch(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROBE, *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def full_cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redphase.cli", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def scaffolded(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "shop", {"cart.feature": FEATURE, "quiet.feature": NO_THEN})
    first = launch("scaffold", cwd=root)
    assert first.returncode == 0, first.stderr
    assert "click not loaded" in first.stderr
    return root


@pytest.mark.parametrize(
    "arguments",
    [["scaffold"], ["scaffold", "--project", "."], ["scaffold", "--project=."]],
)
def test_an_unchanged_project_is_answered_without_click_and_as_the_cli_answers(
    scaffolded: Path, arguments: list[str]
) -> None:
    quick = launch(*arguments, cwd=scaffolded)
    assert "click not loaded" in quick.stderr
    assert "nothing changed since the last run" in quick.stderr
    assert "note: 1 of 1 scenarios have no Then step" in quick.stderr  # diagnostics are replayed
    full = full_cli(*arguments, cwd=scaffolded)
    assert (quick.returncode, quick.stdout) == (full.returncode, full.stdout)
    assert quick.stderr.replace("click not loaded\n", "") == full.stderr


def test_a_changed_feature_is_scaffolded_without_click_and_as_the_cli_scaffolds_it(
    scaffolded: Path, tmp_path: Path
) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(scaffolded, twin)
    for root in (scaffolded, twin):
        (root / "features" / "cart.feature").write_text(
            FEATURE + "\n  Scenario: Empty\n    Then the total is 0\n", encoding="utf-8"
        )
    changed = launch("scaffold", cwd=scaffolded)
    assert changed.returncode == 0
    assert "click not loaded" in changed.stderr
    assert "append to tests/test_cart.py" in changed.stdout
    full = full_cli("scaffold", cwd=twin)
    assert (changed.returncode, changed.stdout) == (full.returncode, full.stdout)
    assert changed.stderr.replace("click not loaded\n", "") == full.stderr
    assert (scaffolded / "tests" / "test_cart.py").read_text() == (
        twin / "tests" / "test_cart.py"
    ).read_text()


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (["scaffold", "--check"], 0),
        (["scaffold", "features/cart.feature"], 0),
        (["scaffold", "--project", "no-such-folder"], 2),
        (["scaffold", "--project"], 2),
        (["scaffold", "--project="], 2),
        (["scaffold", "--help"], 0),
    ],
)
def test_every_other_form_goes_to_the_full_cli(scaffolded: Path, arguments: list[str], code: int) -> None:
    result = launch(*arguments, cwd=scaffolded)
    assert "click loaded" in result.stderr
    assert result.returncode == code


def test_a_broken_configuration_is_reported_as_the_full_cli_reports_it(
    scaffolded: Path,
) -> None:
    (scaffolded / "pyproject.toml").write_text("[tool.redphase\n", encoding="utf-8")
    result = launch("scaffold", cwd=scaffolded)
    assert result.returncode == 2
    assert "cannot read TOML" in result.stderr
    full = full_cli("scaffold", cwd=scaffolded)
    assert result.stderr.replace("click not loaded\n", "") == full.stderr
    assert full.returncode == 2


@pytest.mark.parametrize(("arguments", "code"), [(["--version"], 0), (["no-such-command"], 2)])
def test_leaving_early_keeps_exit_codes_output_and_exit_handlers(
    tmp_path: Path, arguments: list[str], code: int
) -> None:
    # The command skips the interpreter's teardown; nothing a user or a tool relies on may go with it.
    completed = launch(*arguments, cwd=tmp_path)
    assert completed.returncode == code
    assert "click loaded" in completed.stderr  # printed by an exit handler
    if code == 0:
        assert __version__ in completed.stdout
    else:
        assert "No such command" in completed.stderr


def test_a_cache_entry_written_under_flags_is_not_taken_for_a_plain_run(
    scaffolded: Path,
) -> None:
    flagged = launch("scaffold", "--tests", "other_tests", cwd=scaffolded)
    assert flagged.returncode == 0
    plain = launch("scaffold", cwd=scaffolded)
    assert "nothing changed since the last run" not in plain.stderr


def test_a_changed_configuration_or_a_retargeted_features_link_misses(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path / "shop", {"cart.feature": FEATURE})
    (root / "specs").mkdir()
    (root / "specs" / "other.feature").write_text(NO_THEN, encoding="utf-8")
    (root / "features").rename(root / "specs_v1")
    (root / "features").symlink_to(root / "specs_v1")
    assert launch("scaffold", cwd=root).returncode == 0
    assert "nothing changed" in launch("scaffold", cwd=root).stderr
    (root / "features").unlink()
    (root / "features").symlink_to(root / "specs")
    retargeted = launch("scaffold", cwd=root)
    assert "create tests/test_other.py" in retargeted.stdout
    with (root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write('\n[tool.redphase]\ntests = "checks"\n')
    reconfigured = launch("scaffold", cwd=root)
    assert "create checks/test_other.py" in reconfigured.stdout


_LEAVES_GARBAGE = """
import atexit
from pathlib import Path

OUT = Path(__file__).with_name("marks")


class Cycle:
    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        with (OUT / "finalised").open("a") as marks:
            marks.write("x")


def at_exit() -> None:
    (OUT / "exit-handler").write_text("ran")
    Cycle()  # garbage made after pytest's own last collection


def test_leaves_garbage_and_an_exit_handler() -> None:
    OUT.mkdir(exist_ok=True)
    atexit.register(at_exit)
"""


def test_verify_still_finalises_garbage_and_runs_the_tests_exit_handlers(
    tmp_path: Path,
) -> None:
    # The console entry sets live objects aside from the collector before the interpreter is torn
    # down; garbage a test left, and exit handlers it registered, must still be seen to.
    root = make_project(tmp_path / "shop", {})
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_leaves.py").write_text(_LEAVES_GARBAGE, encoding="utf-8")
    ran = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc; gc.disable(); from redphase.launch import main; import sys;"
            " sys.argv = ['redphase', 'verify', '--no-lock', 'tests/test_leaves.py']; main()",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "1 passed" in ran.stdout, ran.stdout + ran.stderr
    marks = root / "tests" / "marks"
    assert (marks / "exit-handler").read_text() == "ran"
    assert (marks / "finalised").read_text() == "x"
