"""pytest's settings as redphase reads them without pytest, and the tests folder they decide."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from redphase.config import load_config
from redphase.pytest_settings import configured_testpaths, default_tests_folder, settings_file
from tests.conftest import make_project, run_cli

FEATURE = "Feature: Calc\n  Scenario: Adding\n    Given the numbers 2 and 3\n    When I add them\n    Then the result is 5\n"


def _files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "name", "paths"),
    [
        ({"pytest.ini": "[pytest]\ntestpaths = test other\n"}, "pytest.ini", ["test", "other"]),
        ({"pytest.ini": "[other]\nx = 1\n", "tox.ini": "[pytest]\ntestpaths = t\n"}, "pytest.ini", []),
        ({".pytest.ini": "[pytest]\ntestpaths = a\n"}, ".pytest.ini", ["a"]),
        (
            {"pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["test", "b"]\n'},
            "pyproject.toml",
            ["test", "b"],
        ),
        (
            {"pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = "test b"\n'},
            "pyproject.toml",
            ["test", "b"],
        ),
        ({"pyproject.toml": '[tool.pytest]\ntestpaths = ["native"]\n'}, "pyproject.toml", ["native"]),
        (
            {"pyproject.toml": "[project]\nname = 'x'\n", "tox.ini": "[tox]\n[pytest]\ntestpaths = t\n"},
            "tox.ini",
            ["t"],
        ),
        ({"setup.cfg": "[tool:pytest]\ntestpaths =\n    s1\n    s2\n"}, "setup.cfg", ["s1", "s2"]),
        ({"setup.cfg": "[metadata]\nname = x\n"}, "", []),
        ({}, "", []),
    ],
)
def test_the_settings_file_and_testpaths_are_those_pytest_reads(
    tmp_path: Path, files: dict[str, str], name: str, paths: list[str]
) -> None:
    _files(tmp_path, files)
    assert settings_file(str(tmp_path)) == name
    assert configured_testpaths(str(tmp_path)) == paths


@pytest.mark.parametrize(
    ("testpaths", "folders", "expected"),
    [
        (None, ["test"], "tests"),  # no testpaths: pytest looks everywhere, tests/ is collected
        (["test"], ["test"], "test"),
        (["test"], [], "tests"),  # the folder it names does not exist: pytest looks everywhere
        (["tests"], ["tests", "test"], "tests"),
        (["."], ["test"], "tests"),
        (["tests/unit", "tests/bdd"], ["tests/unit", "tests/bdd"], "tests/unit"),
        (["src", "tests"], ["src", "tests"], "tests"),
        (["spec*"], ["spec_b", "spec_a"], "spec_a"),
    ],
)
def test_the_tests_folder_is_one_that_pytest_collects(
    tmp_path: Path, testpaths: list[str] | None, folders: list[str], expected: str
) -> None:
    setting = f"[tool.pytest.ini_options]\ntestpaths = {testpaths!r}\n".replace("'", '"') if testpaths else ""
    _files(tmp_path, {"pyproject.toml": f'[project]\nname = "x"\nversion = "0"\n{setting}'})
    for folder in folders:
        (tmp_path / folder).mkdir(parents=True)
    assert default_tests_folder(str(tmp_path)) == expected
    assert load_config(tmp_path).tests == (tmp_path / expected).resolve()


def test_a_tests_setting_of_redphase_decides_over_testpaths(tmp_path: Path) -> None:
    _files(
        tmp_path,
        {
            "pyproject.toml": '[tool.redphase]\ntests = "mine"\n[tool.pytest.ini_options]\ntestpaths = ["test"]\n'
        },
    )
    (tmp_path / "test").mkdir()
    assert load_config(tmp_path).tests == (tmp_path / "mine").resolve()


def test_scaffold_writes_where_pytest_collects_and_beside_the_projects_own_modules(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", {"calc.feature": FEATURE})
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('[tool.pytest.ini_options]\ntestpaths = ["test"]\n')
    _files(root, {"test/test_calc.py": "def test_existing():\n    assert True\n"})
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert not (root / "tests").exists()
    # The project's own test_calc.py keeps its name: a second module of that basename would clash.
    assert (root / "test/test_calc_2.py").is_file()
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "test/test_calc_2.py::test_adding" in collected.stdout, collected.stdout + collected.stderr


def test_a_changed_pytest_ini_is_a_changed_run(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", {"calc.feature": FEATURE})
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert (root / "tests/test_calc.py").is_file()
    _files(root, {"pytest.ini": "[pytest]\ntestpaths = spec\n", "spec/.keep": ""})
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert (root / "spec/test_calc.py").is_file()


@pytest.mark.parametrize(
    "files",
    [
        {"pytest.ini": "[pytest]\nbdd_features_base_dir = specs/\n"},
        {"pyproject.toml": '[tool.pytest.ini_options]\nbdd_features_base_dir = "specs/"\n'},
        {"setup.cfg": "[tool:pytest]\nbdd_features_base_dir = specs/\n"},
    ],
)
def test_the_features_base_dir_comes_from_pytests_settings_file(
    tmp_path: Path, files: dict[str, str]
) -> None:
    _files(tmp_path, files)
    assert load_config(tmp_path).bdd_features_base_dir == (tmp_path / "specs").resolve()
