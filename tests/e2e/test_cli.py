"""The command line a user sees: help, version, exit codes, and the plan command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from redphase import __version__
from tests.conftest import make_project, run_cli, snapshot

FEATURE = 'Feature: Signup\n  @fake:email\n  Scenario: Welcome\n    When "ann" signs up\n    Then a welcome email is sent to "ann"\n'


def test_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("command", [[], ["scaffold"], ["plan"]])
def test_every_command_explains_itself(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_unknown_options_and_missing_paths_are_usage_errors(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"signup.feature": FEATURE})
    assert run_cli("scaffold", "--no-such-flag", cwd=root).exit_code == 2
    missing = run_cli("scaffold", "nowhere.feature", cwd=root)
    assert missing.exit_code == 2
    assert "nowhere.feature: no such file or folder" in missing.output


def test_invalid_configuration_is_a_usage_error(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"signup.feature": FEATURE})
    (root / "pyproject.toml").write_text('[tool.redphase]\nfeaturez = "x"\n', encoding="utf-8")
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 2
    assert "unknown [tool.redphase] keys: featurez" in result.output


def test_plan_describes_the_harness_with_reasons(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"signup.feature": FEATURE})
    (root / "pyproject.toml").write_text(
        '[tool.redphase]\nsystem = "shop.app:create_system"\n[tool.redphase.components.crm]\nkind = "external"\nwords = ["signs up"]\n',
        encoding="utf-8",
    )
    result = run_cli("plan", "features/signup.feature", "--format", "json", cwd=root)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["system_under_test"]["entry_point"] == "shop.app:create_system"
    components = {c["name"]: c for c in plan["components"]}
    assert components["email"]["treatment"] == "fake"
    assert components["email"]["reason"].startswith("tag @fake:email")
    assert (
        components["crm"]["reason"]
        == "'signs up' matched the external-service words from [tool.redphase.components]"
    )
    steps = plan["features"][0]["scenarios"][0]["steps"]
    assert [(s["phase"], s["pattern"]) for s in steps] == [
        ("act", "{string} signs up"),
        ("assert", "a welcome email is sent to {string}"),
    ]
    assert steps[1]["parameters"] == [{"name": "text", "type": "string", "python": "str", "from": "text"}]
    yaml_result = run_cli("plan", "features/signup.feature", cwd=root)
    assert yaml.safe_load(yaml_result.stdout) == plan


def test_plan_of_an_invalid_file_exits_1_with_its_location(tmp_path: Path) -> None:
    root = make_project(
        tmp_path, {"bad.feature": "Feature: x\n  Scenario: y\n    Given a\n  | a | b |\n  | c |\n"}
    )
    result = run_cli("plan", "features/bad.feature", cwd=root)
    assert result.exit_code == 1
    assert "features/bad.feature:5:3: error: inconsistent cell count within the table" in result.output


def test_output_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    trees = []
    for seed in ("0", "1", "12345"):
        root = make_project(tmp_path / seed, [Path(__file__).parents[1] / "data" / "hostile.feature"])
        env = {**os.environ, "PYTHONHASHSEED": seed}
        completed = subprocess.run(
            [sys.executable, "-m", "redphase", "scaffold"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        trees.append(snapshot(root / "tests"))
    assert trees[0] == trees[1] == trees[2]


def test_a_project_without_a_features_folder_is_told_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    result = run_cli("scaffold", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no features folder at" in result.output
    assert "[tool.redphase] features" in result.output
