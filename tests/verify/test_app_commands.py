"""A step that runs the application through its command line, in a subprocess, ran application code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from redphase.verify.app_commands import ApplicationCommands
from redphase.verify.appcode import AppCodeWatch, ApplicationCode
from tests.conftest import verify_results

GREETER = {
    "pyproject.toml": '[project]\nname = "greeter"\nversion = "0"\n\n[project.scripts]\ngreet = "greeter.cli:main"\n',
    "greeter/__init__.py": "",
    "greeter/__main__.py": "from greeter.cli import main\n\nmain()\n",
    "greeter/cli.py": "import sys\n\n\ndef main():\n    print('hello ' + sys.argv[-1])\n",
    "tools/release.py": "print('released')\n",
    "tools/wait.sh": "#!/bin/sh\nsleep 1\n",
    "runme.py": "from greeter.cli import main\n\nmain()\n",
    "tests/test_cli.py": "",
}


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def commands(tmp_path: Path) -> ApplicationCommands:
    root = _project(tmp_path, GREETER)
    return ApplicationCommands(str(root), ApplicationCode(root, test_dirs=[root / "tests"]))


@pytest.fixture
def on_path(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH holds the installed `greet` script."""
    scripts = tmp_path / "venv" / "bin"
    scripts.mkdir(parents=True)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("", encoding="utf-8")
    greet = scripts / "greet"
    greet.write_text("#!/usr/bin/env python\n", encoding="utf-8")
    greet.chmod(0o755)
    return {"PATH": str(scripts)}


@pytest.mark.parametrize(
    ("args", "shell", "shown"),
    [
        (["greet", "Ada"], False, "greet Ada"),
        ("greet Ada | tr a-z A-Z", True, "greet Ada '|' tr a-z A-Z"),
        ([sys.executable, "-m", "greeter", "Ada"], False, f"{sys.executable} -m greeter Ada"),
        (["python3", "-u", "-X", "utf8", "-mgreeter.cli"], False, "python3 -u -X utf8 -mgreeter.cli"),
        (["python3", "-um", "greeter"], False, "python3 -um greeter"),
        (["python", "greeter/cli.py"], False, "python greeter/cli.py"),
        ([sys.executable, "runme.py"], False, f"{sys.executable} runme.py"),
        (
            ["python", "-c", "from greeter.cli import main; main()"],
            False,
            "python -c 'from greeter.cli import main; main()'",
        ),
        ("./tools/release.py", False, "./tools/release.py"),
    ],
)
def test_a_command_that_runs_the_application_is_shown(
    commands: ApplicationCommands,
    tmp_path: Path,
    on_path: dict[str, str],
    args: object,
    shell: bool,
    shown: str,
) -> None:
    assert commands.shown(args, cwd=tmp_path, shell=shell, env=on_path) == shown


@pytest.mark.parametrize(
    "args",
    [
        ["git", "status"],
        ["python", "-c", "print(1)"],
        ["python", "-m", "json.tool"],
        ["python", "tests/test_cli.py"],
        ["python", "-"],
        [],
        ["python", "-c", "this is not python"],
        ["./tools/wait.sh"],  # a shell script of the project is not its Python application
    ],
)
def test_a_command_that_runs_something_else_is_not(
    commands: ApplicationCommands, tmp_path: Path, on_path: dict[str, str], args: object
) -> None:
    assert commands.shown(args, cwd=tmp_path, env=on_path) == ""


def test_a_command_the_child_could_not_find_does_not_count(
    commands: ApplicationCommands, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The script is declared but not installed on this PATH; the package is not importable from there.
    assert commands.shown(["greet", "Ada"], cwd=tmp_path, env={"PATH": str(elsewhere)}) == ""
    assert commands.shown([sys.executable, "-m", "greeter"], cwd=elsewhere, env={}) == ""
    assert commands.shown([sys.executable, "-m", "greeter"], cwd=elsewhere, env={"PYTHONPATH": str(tmp_path)})


def test_a_generator_of_words_is_left_for_popen_to_read(
    commands: ApplicationCommands, tmp_path: Path
) -> None:
    words = (word for word in ["greet", "Ada"])
    assert commands.shown(words, cwd=tmp_path) == ""
    assert list(words) == ["greet", "Ada"]


class _Ended:
    def __init__(self, returncode: int) -> None:
        self.returncode = returncode


@pytest.mark.parametrize(
    ("status", "ran", "suffix"), [(0, True, ""), (2, True, " (it exited with status 2)"), (127, False, "")]
)
def test_a_subprocess_that_counted_is_settled_once_it_ends(
    tmp_path: Path, status: int, ran: bool, suffix: str
) -> None:
    watch = AppCodeWatch(ApplicationCode(tmp_path))
    watch.ran, watch.ran_in, watch._process = True, "greet Ada", _Ended(status)
    watch.stop()
    assert watch.ran is ran
    assert watch.ran_in == ("greet Ada" + suffix if ran else "")
    watch.close()


FEATURE = """\
Feature: Greeting
  Scenario: Greet by module
    When the greeter runs as a module for "Ada"
    Then it prints "Hi Ada"

  Scenario: Greet by another tool
    When another tool runs for "Ada"
    Then it prints "Hi Ada"
"""

STEPS = """\
import subprocess
import sys

from pytest_bdd import parsers, scenarios, then, when

scenarios("../features/greeting.feature")


@when(parsers.parse('the greeter runs as a module for "{name}"'), target_fixture="output")
def _(name):
    return subprocess.run([sys.executable, "-m", "greeter", name], capture_output=True, text=True).stdout


@when(parsers.parse('another tool runs for "{name}"'), target_fixture="output")
def _(name):
    return subprocess.run([sys.executable, "-c", "print('hello ' + 'Ada')"], capture_output=True, text=True).stdout


@then(parsers.parse('it prints "{text}"'))
def _(output, text):
    assert output.strip() == text
"""


@pytest.mark.slow
def test_a_then_that_fails_after_a_step_ran_the_application_in_a_subprocess_is_a_good_red(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, {**GREETER, "features/greeting.feature": FEATURE, "tests/test_cli.py": STEPS})
    results = verify_results(root)
    by_module = results["tests/test_cli.py::test_greet_by_module"]
    assert by_module["verdict"] == "good-red"
    assert "ran in a subprocess (inferred from its command: " in by_module["why"]
    assert "-m greeter Ada" in by_module["why"]
    assert results["tests/test_cli.py::test_greet_by_another_tool"]["verdict"] == "unwired-red"
