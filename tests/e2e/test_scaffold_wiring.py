"""Issue: wiring. Scaffold wires each new step to the application call it is sure of, and only to
calls the harness can make; a wired test is red or green by a real comparison."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_project, run_cli

pytestmark = pytest.mark.slow

FEATURE = """\
Feature: Library shelf
  Scenario: Shelving a book
    Given the shelf is stocked with 2 books
    When a librarian shelves the book "Dune"
    Then the shelf lists the book "Dune"
    And the shelf count is 3
"""

LIBRARY = '''\
"""A shelf of books: a library without a composition root."""

from __future__ import annotations


class Shelf:
    """The books on one shelf."""

    def __init__(self) -> None:
        self.books: list[str] = []

    def stock(self, books: int) -> None:
        """Put `books` anonymous books on the shelf."""
        self.books += [f"book {n}" for n in range(books)]

    def shelve(self, book: str) -> None:
        """Shelve a book."""
        # The red phase points here: shelving is not written yet.

    def lists(self) -> list[str]:
        """The books the shelf lists."""
        return list(self.books)

    @property
    def count(self) -> int:
        return len(self.books)


def title_case(book: str) -> str:
    """A pure function: a Then must never be wired to it with its own expected value."""
    return book.title()
'''

PYPROJECT = """\
[project]
name = "shelfapp"
version = "0"

[tool.pytest.ini_options]
pythonpath = ["src"]

[tool.mypy]
strict = true
mypy_path = "src"
files = ["src", "tests"]

[tool.ruff]
line-length = 88

[tool.ruff.lint]
select = ["E", "F", "W", "I", "B", "UP", "SIM", "C4", "PT", "RUF"]
ignore = ["E501"]
"""


def _project(root: Path, extra: str = "") -> Path:
    make_project(root, {"shelf.feature": FEATURE})
    (root / "pyproject.toml").write_text(PYPROJECT + extra, encoding="utf-8")
    package = root / "src" / "shelfapp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "shelf.py").write_text(LIBRARY, encoding="utf-8")
    return root


def _verify(root: Path) -> dict[str, str]:
    out = root / "verdicts.json"
    subprocess.run(
        [sys.executable, "-m", "redphase", "verify", f"--json={out}"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {r["nodeid"]: r["verdict"] for r in json.loads(out.read_text(encoding="utf-8"))["results"]}


def _steps(root: Path) -> str:
    return (root / "tests" / "step_defs" / "shelf_steps.py").read_text(encoding="utf-8")


def test_a_library_is_wired_through_its_classes_and_the_red_is_good(tmp_path: Path) -> None:
    root = _project(tmp_path / "shelf")
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    steps = _steps(root)
    assert "system.instance(shelfapp.shelf.Shelf).stock(books=books)" in steps
    assert "system.instance(shelfapp.shelf.Shelf).shelve(book=book)" in steps
    assert "system.read(system.instance(shelfapp.shelf.Shelf).count, expected)" in steps
    assert "title_case(" not in steps.split('"""')[-1]  # never the code of a Then
    assert steps.count("Wiring inferred by redphase") == 4
    verdicts = _verify(root)
    assert verdicts["tests/test_shelf.py::test_shelving_a_book"] == "good-red", verdicts
    gates = [
        [sys.executable, "-m", "mypy"],
        [sys.executable, "-m", "ruff", "check", "--no-cache", "tests"],
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "tests"],
    ]
    for gate in gates:
        completed = subprocess.run(gate, cwd=root, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stdout + completed.stderr

    shelf = root / "src" / "shelfapp" / "shelf.py"
    shelf.write_text(
        LIBRARY.replace(
            "        # The red phase points here: shelving is not written yet.\n",
            "        self.books.append(book)\n",
        ),
        encoding="utf-8",
    )
    verdicts = _verify(root)
    assert verdicts["tests/test_shelf.py::test_shelving_a_book"] == "passed", verdicts


def test_no_wire_and_the_threshold_leave_steps_unwired_with_their_candidates(tmp_path: Path) -> None:
    flagged = _project(tmp_path / "flag")
    assert run_cli("scaffold", "--no-wire", cwd=flagged).exit_code == 0
    assert "Wiring inferred" not in _steps(flagged)
    assert "system.instance(" not in _steps(flagged)

    strict = _project(tmp_path / "strict", "\n[tool.redphase]\nwire-threshold = 1.0\n")
    assert run_cli("scaffold", cwd=strict).exit_code == 0
    steps = _steps(strict)
    assert "Wiring inferred" not in steps
    assert "Not wired: no candidate was sure enough" in steps
    assert "system.instance(shelfapp.shelf.Shelf).shelve(book=book)" in steps  # as a candidate
    assert '    system.act("a librarian shelves the book {string}", book=book)' in steps
    verdicts = _verify(strict)
    assert verdicts["tests/test_shelf.py::test_shelving_a_book"] == "unwired-red", verdicts


def test_a_bad_threshold_is_a_usage_error(tmp_path: Path) -> None:
    root = _project(tmp_path / "bad", "\n[tool.redphase]\nwire-threshold = 2\n")
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 2
    assert "wire-threshold must be a number from 0 to 1" in result.output
    assert not (root / "tests").exists()


def test_code_in_a_folder_that_is_no_module_name_is_never_imported(tmp_path: Path) -> None:
    root = _project(tmp_path / "odd")
    odd = root / "src" / "shelfapp" / "gen-2"
    odd.mkdir()
    (odd / "shelving.py").write_text(
        'def shelve_the_book(book: str) -> None:\n    """Shelve the book."""\n', encoding="utf-8"
    )
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    assert "gen-2" not in _steps(root)
    assert "gen_2" not in _steps(root)


def test_a_system_configured_after_the_harness_was_written_gets_a_note_and_nothing_rewritten(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "later")
    assert run_cli("scaffold", cwd=root).exit_code == 0
    # The factory comes after the harness: the harness was assembled without it.
    (root / "src" / "shelfapp" / "system.py").write_text(
        "from shelfapp.shelf import Shelf\n\n\ndef make_shelf() -> Shelf:\n    return Shelf()\n",
        encoding="utf-8",
    )
    conftest = root / "tests" / "conftest.py"
    written = conftest.read_text(encoding="utf-8")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8") + '\n[tool.redphase]\nsystem = "shelfapp.system:make_shelf"\n',
        encoding="utf-8",
    )
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    assert (
        "tests/conftest.py:1:1: note: the harness in tests/conftest.py does not use [tool.redphase] system"
        in result.output
    )
    assert "from make_shelf()" in result.output
    assert conftest.read_text(encoding="utf-8") == written
    # Written again with the system named, the harness builds it, and the note is gone.
    conftest.rename(root / "old_conftest.py")
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    assert "make_shelf()" in conftest.read_text(encoding="utf-8")
    assert "does not use [tool.redphase] system" not in result.output


def test_a_route_whose_path_takes_a_parameter_is_never_called_with_the_parameter_left_in(
    tmp_path: Path,
) -> None:
    # Flask's <int:number> and FastAPI's {number} are filled by the caller: the literal path misses.
    root = make_project(
        tmp_path / "web",
        {"orders.feature": "Feature: Orders\n  Scenario: Showing\n    When the customer shows order 5\n"
         "    Then the order shows 5 items\n"},
    )  # fmt: skip
    (root / "web").mkdir()
    (root / "web" / "__init__.py").write_text(
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
        '@app.route("/orders/<int:number>")\ndef show_order(number):\n    """Show one order."""\n    return {}\n',
        encoding="utf-8",
    )
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    steps = (root / "tests" / "step_defs" / "orders_steps.py").read_text(encoding="utf-8")
    assert 'system.client.get("/orders/<int:number>")' not in steps


def test_a_negated_then_is_left_unwired_with_its_reason(tmp_path: Path) -> None:
    """`observed == expected` for "does not list" would assert that the shelf lists the book."""
    root = _project(tmp_path / "negated")
    (root / "features" / "shelf.feature").write_text(
        FEATURE.replace(
            'Then the shelf lists the book "Dune"', 'Then the shelf does not list the book "Dune"'
        ),
        encoding="utf-8",
    )
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    steps = _steps(root)
    negated = steps[steps.index("does not list") :]
    negated = negated[: negated.index("\n\n\n")] if "\n\n\n" in negated else negated
    assert "Not wired: a negated outcome" in negated
    assert "system.read(system.instance(shelfapp.shelf.Shelf).lists()" not in negated
    verdicts = _verify(root)
    assert verdicts["tests/test_shelf.py::test_shelving_a_book"] == "unwired-red", verdicts


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ('the stored servers do not include "x"', True),
        ("no error is shown", True),
        ("the order isn't shipped", True),
        ("the order is never shipped", True),
        ("the note is shown", False),
        ("the notebook lists 3 notes", False),
        ("the knot is tied", False),
    ],
)
def test_negated_outcomes_are_told_by_their_words(text: str, negated: bool) -> None:
    from redphase.plan.names import is_negated

    assert is_negated(text) is negated


@pytest.mark.parametrize("length", [79, 88, 100])
def test_generated_code_passes_pycodestyle_line_length_at_the_projects_length(
    tmp_path: Path, length: int
) -> None:
    """Docstrings and comments black leaves as they are: they are written no wider than 79 columns."""
    root = _project(tmp_path / f"width{length}")
    (root / "pyproject.toml").write_text(
        PYPROJECT.replace('ignore = ["E501"]\n', "").replace("line-length = 88", f"line-length = {length}"),
        encoding="utf-8",
    )
    assert run_cli("scaffold", cwd=root).exit_code == 0
    for gate in (
        ["check", "--no-cache", "--select", "E501", "tests"],
        ["format", "--check", "--no-cache", "tests"],
    ):
        completed = subprocess.run(
            [sys.executable, "-m", "ruff", *gate], cwd=root, capture_output=True, text=True, check=False
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr
