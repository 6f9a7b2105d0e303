"""A feature file pytest-bdd cannot read is named with its line, not by the module that loads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from redphase.verify.collector import _location

VERIFY = (
    "E   pytest_bdd.exceptions.StepError: First step in a scenario or background must start with 'Given', "
    "'When' or 'Then', but got And.\n    Line number: 3\n    Line: And first\n    File: {root}/features/and.feature"
)
PLAIN = (
    'tests/test_x.py:14: in <module>\n    scenarios("../")\nE   pytest_bdd.exceptions.TokenError: Unexpected token\n'
    "E   Line number: 7\nE   Line: Scenario Outline wrong\nE   File: {root}/features/and.feature"
)


@pytest.mark.parametrize("text", [VERIFY, PLAIN])
def test_the_feature_file_and_line_are_the_location(tmp_path: Path, text: str) -> None:
    line = "3" if text is VERIFY else "7"
    assert _location(text.format(root=tmp_path), tmp_path) == f"features/and.feature:{line}"


def test_without_a_feature_the_innermost_project_frame_is_the_location(tmp_path: Path) -> None:
    text = 'tests/test_x.py:14: in <module>\n    import shop\nE   ModuleNotFoundError: No module named "shop"'
    assert _location(text, tmp_path) == "tests/test_x.py:14"
