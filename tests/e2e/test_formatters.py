"""Scaffold's output is clean under the project's own formatter configuration, checked by that formatter.

Each project configures black or ruff in its pyproject.toml; `black --check` or `ruff format --check`
(both read that pyproject.toml) must accept the generated tests after the first run and after a
scenario is added to a feature and scaffold appends it to the modules the first run wrote.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_project

# Long enough that 88 and 100 columns lay the calls out differently.
SHOP = """\
Feature: Shop
  Scenario: Paying by card sends a receipt to the customer
    Given a customer "ann@example.com" with 3 items in the basket worth 12.50 in total today
    When the customer pays 12.50 by card with the reference "order-2024-000123-checkout"
    Then an email receipt for 12.50 is sent to "ann@example.com" with the reference "order-1"

  Scenario Outline: Redeeming a voucher lowers the total of the basket
    Given the voucher "<code>" is worth <amount> for orders above 20 items in the basket
    Then the basket total is <total>

    Examples:
      | code   | amount | total |
      | SPRING | 5      | 7.50  |
"""
MORE = """
  Scenario: A refund is issued when the customer returns an item within the return window
    Given a customer "bob@example.com" with 1 items in the basket worth 4.25 in total today
    When the customer returns 1 item with the note "it's the wrong size, and the colour is off"
    Then a refund of 4.25 is issued to "bob@example.com" within 14 days of the return request
"""

BLACK = [sys.executable, "-m", "black", "--check", "--diff", "tests"]
RUFF = [sys.executable, "-m", "ruff", "format", "--check", "--diff", "tests"]

CASES = {
    "black line-length 100": ("[tool.black]\nline-length = 100\n", BLACK),
    "ruff line-length 100": ("[tool.ruff]\nline-length = 100\n", RUFF),
    "ruff quote-style single": (
        '[tool.ruff]\nline-length = 100\n\n[tool.ruff.format]\nquote-style = "single"\n',
        RUFF,
    ),
    "black skip-string-normalization": ("[tool.black]\nskip-string-normalization = true\n", BLACK),
    # Both configured: [tool.black] decides, so black's 100 columns, not ruff's 79, must hold.
    "black and ruff": ("[tool.black]\nline-length = 100\n\n[tool.ruff]\nline-length = 79\n", BLACK),
}


def scaffold(root: Path) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "redphase", "scaffold"], cwd=root, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def assert_clean(root: Path, check: list[str]) -> None:
    completed = subprocess.run(check, cwd=root, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def generated(root: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted((root / "tests").rglob("*.py")))


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_and_appends_pass_the_projects_formatter(case: str, tmp_path: Path) -> None:
    settings, check = CASES[case]
    root = make_project(tmp_path / "p", {"shop.feature": SHOP})
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n" + settings, encoding="utf-8")
    scaffold(root)
    assert_clean(root, check)
    first = generated(root)
    (root / "features" / "shop.feature").write_text(SHOP + MORE, encoding="utf-8")
    scaffold(root)
    appended = generated(root)
    assert "A refund is issued" in appended
    assert "A refund is issued" not in first
    assert_clean(root, check)
    if "line-length = 100" in settings:
        assert max(map(len, appended.splitlines())) > 88, "100 columns were not used"
    if "single" in settings:
        assert "FEATURE = '../features/shop.feature'" in appended
    again = scaffold(root)
    assert "nothing changed" in again.stdout + again.stderr


def test_plan_says_which_formatter_settings_it_uses(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"shop.feature": SHOP})
    pyproject = root / "pyproject.toml"
    ruff = '[tool.ruff]\nline-length = 100\n\n[tool.ruff.format]\nquote-style = "single"\n'
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n" + ruff, encoding="utf-8")
    command = [sys.executable, "-m", "redphase", "plan", "features", "--format", "json"]
    completed = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    formatting = json.loads(completed.stdout)["formatting"]
    assert formatting["tool"] == "ruff"
    assert formatting["source"] == "[tool.ruff]"
    assert formatting["line_length"] == 100
    assert formatting["quote_style"] == "single"
    assert formatting["formatter"].startswith("ruff ")
    assert formatting["hand_layout"] is False
    command[-1] = "yaml"
    completed = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    assert "formatting:\n  tool: ruff\n  source: '[tool.ruff]'\n  line_length: 100\n" in completed.stdout
