"""An unwired red names, for each of its steps, the calls `redphase plan` ranks first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FEATURE = """\
Feature: Closing accounts
  Scenario: A visitor closes an account
    When the account for "ada@example.com" is removed
    Then the audit events for "ada@example.com" are listed
"""


def _redphase(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redphase", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_an_unwired_red_lists_wiring_candidates(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    assert _redphase(tmp_path, "init", str(root), "--no-input").returncode == 0
    (root / "features/closing.feature").write_text(FEATURE, encoding="utf-8")
    assert _redphase(root, "scaffold", "--no-wire").returncode == 0
    out = tmp_path / "verdicts.json"
    completed = _redphase(root, "verify", f"--json={out}")
    results = {r["nodeid"]: r for r in json.loads(out.read_text(encoding="utf-8"))["results"]}
    result = results["tests/integration/test_closing.py::test_a_visitor_closes_an_account"]
    assert result["verdict"] == "unwired-red", completed.stdout
    wiring = {entry["step"]: entry["candidates"] for entry in result["wiring"]}
    removed = wiring['When the account for "ada@example.com" is removed']
    assert removed[0]["target"] == "demo.persistence.Store.remove_account"
    assert removed[0]["call"].startswith("system.")
    listed = wiring['Then the audit events for "ada@example.com" are listed']
    assert listed[0]["target"] == "demo.persistence.Store.audit_events"
    assert "wiring candidates" in result["hint"]
    assert "remove_account" in completed.stdout
