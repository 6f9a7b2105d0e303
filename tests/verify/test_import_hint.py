"""A step that cannot import the application is told why, from where the project keeps the module."""

from __future__ import annotations

from pathlib import Path

import pytest

from redphase.verify.hints import missing_module_hint
from tests.conftest import verify_results

FEATURE = """\
Feature: Change
  Scenario: Change is returned
    When a coin is inserted
    Then the change is 25 cents
"""

STEPS = """\
from pytest_bdd import scenarios, then, when

scenarios("../features/change.feature")


@when("a coin is inserted", target_fixture="machine")
def _():
    import vending_machine

    return vending_machine.Machine()


@then("the change is 25 cents")
def _(machine):
    assert machine.change() == 25
"""


def test_a_src_layout_is_named_with_both_ways_to_import_it(tmp_path: Path) -> None:
    (tmp_path / "src" / "shop").mkdir(parents=True)
    (tmp_path / "src" / "shop" / "cart.py").write_text("", encoding="utf-8")
    hint = missing_module_hint("shop.cart", tmp_path)
    assert "module shop.cart is under src/" in hint
    assert "pip install -e ." in hint
    assert 'pythonpath = ["src"]' in hint


def test_a_module_elsewhere_in_the_project_is_named_by_its_file(tmp_path: Path) -> None:
    (tmp_path / "tools" / "pricing").mkdir(parents=True)
    (tmp_path / "tools" / "pricing" / "__init__.py").write_text("", encoding="utf-8")
    assert "module pricing is tools/pricing, but tools is not on sys.path" in missing_module_hint(
        "pricing.rules", tmp_path
    )


@pytest.mark.parametrize("base", ["", "src/"])
def test_a_module_missing_from_a_package_of_the_project_is_named_with_the_package(
    tmp_path: Path, base: str
) -> None:
    (tmp_path / base / "tests" / "lib").mkdir(parents=True)
    assert missing_module_hint("tests.lib.given_steps", tmp_path) == (
        f"the project has {base}tests/lib/ but no given_steps.py or given_steps/ package in it: "
        "create it, or fix the name tests.lib.given_steps"
    )


def test_a_module_nowhere_in_the_project_gets_the_general_advice(tmp_path: Path) -> None:
    assert missing_module_hint("nowhere", tmp_path) == (
        "module nowhere cannot be imported: install it, or check pythonpath/src layout"
    )


@pytest.mark.slow
def test_an_early_failure_that_cannot_import_a_folder_of_scripts_names_the_folder(tmp_path: Path) -> None:
    # vending_machine.py imports its sibling by bare name, as a folder of scripts does.
    (tmp_path / "vending").mkdir()
    (tmp_path / "vending" / "payments.py").write_text("def paid():\n    return 0\n", encoding="utf-8")
    (tmp_path / "vending" / "vending_machine.py").write_text(
        "from payments import paid\n\n\nclass Machine:\n    def change(self):\n        return paid()\n",
        encoding="utf-8",
    )
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "change.feature").write_text(FEATURE, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_change.py").write_text(STEPS, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\npythonpath = []\n", encoding="utf-8")
    result = verify_results(tmp_path)["tests/test_change.py::test_change_is_returned"]
    assert result["verdict"] == "early-failure"
    assert (
        "module vending_machine is vending/vending_machine.py, but vending is not on sys.path"
        in result["hint"]
    )
    # With the folder where the hint says, the same test is red at its Then step.
    pyproject = '[tool.pytest.ini_options]\npythonpath = ["vending"]\n'
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    result = verify_results(tmp_path)["tests/test_change.py::test_change_is_returned"]
    assert result["verdict"] == "good-red", result


@pytest.mark.slow
def test_a_plugin_module_the_conftest_names_but_the_project_lacks_is_found_in_the_conftest(
    tmp_path: Path,
) -> None:
    (tmp_path / "tests" / "lib").mkdir(parents=True)
    (tmp_path / "tests" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "tests" / "lib" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "tests" / "conftest.py").write_text(
        'import os\n\npytest_plugins = [\n    "tests.lib.given_steps",\n]\n', encoding="utf-8"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n', encoding="utf-8"
    )
    [result] = verify_results(tmp_path).values()
    assert result["verdict"] == "collection-error"
    assert result["location"] == "tests/conftest.py:4"
    assert result["hint"].startswith("the project has tests/lib/ but no given_steps.py")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"pytest.ini": "[pytest]\n"},
            "register the marker in pytest.ini:\n[pytest]\nmarkers =\n    slowish: what it marks",
        ),
        (
            {"setup.cfg": "[tool:pytest]\naddopts = -q\n"},
            "register the marker in setup.cfg:\n[tool:pytest]\nmarkers =",
        ),
        (
            {"pyproject.toml": "[project]\nname = 'x'\n"},
            'register the marker in pyproject.toml:\n[tool.pytest.ini_options]\nmarkers = [\n    "slowish',
        ),
    ],
)
def test_a_marker_is_registered_where_pytest_reads_its_settings(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    from redphase.verify.hints import collection_hint

    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    hint = collection_hint("marker", "'slowish' not found in `markers` configuration option", tmp_path)
    assert hint.startswith(expected)
