"""`redphase merge`: the shards of one suite, verified apart, merge into the verdicts of a single run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_project, run_cli

FEATURES = {
    f"area_{n}/feature_{n}.feature": f"""\
@area{n}
Feature: Orders {n}
  Scenario: Ordering {n}
    Given {n} orders exist
    When the user ships the order "order-{n}"
    Then the order total is {n}.50

  Scenario Outline: Bulk {n}
    Given <count> parcels exist
    When the user archives <count> parcels
    Then <count> parcels are archived for <owner>
    Examples:
      | count | owner |
      | 1     | ann   |
      | 2     | bob   |

  Scenario: No outcome {n}
    Given {n} tickets exist
"""
    for n in range(1, 5)
}


def _redphase(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redphase", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _by_nodeid(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["nodeid"]: result for result in document["results"]}


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, dict[str, Any]]:
    root = make_project(tmp_path_factory.mktemp("merge") / "project", FEATURES)
    assert run_cli("scaffold", cwd=root).exit_code == 0
    single = _redphase(root, "verify", "--json", "single.json")
    document = _load(root / "single.json")
    assert len(document["results"]) > 10
    return root, single.returncode, document


def _assert_merged_equals_single(
    root: Path, shards: list[str], single_code: int, single: dict[str, Any]
) -> None:
    merged = _redphase(root, "merge", *shards, "--json", "merged.json", "--report", "merged.md")
    assert merged.returncode == single_code, merged.stdout + merged.stderr
    document = _load(root / "merged.json")
    assert _by_nodeid(document) == _by_nodeid(single)
    assert document["summary"] == single["summary"]
    assert document["exit_status"] == single["exit_status"] == single_code
    assert document["allow_unwired"] is single["allow_unwired"]
    assert "# Red Phase Business Logic Gaps Identified" in (root / "merged.md").read_text(encoding="utf-8")
    assert "redphase verdicts" in merged.stdout
    assert merged.stderr == ""


def test_pytest_split_shards_merge_into_the_single_run(suite: tuple[Path, int, dict[str, Any]]) -> None:
    pytest.importorskip("pytest_split")
    root, code, single = suite
    shards = []
    for group in (1, 2, 3):
        shard = f"split-{group}.json"
        _redphase(root, "verify", "--json", shard, "--", "--splits", "3", "--group", str(group))
        shards.append(shard)
    counts = [len(_load(root / shard)["results"]) for shard in shards]
    assert all(counts)
    assert sum(counts) == len(single["results"])
    _assert_merged_equals_single(root, shards, code, single)


def test_overlapping_shards_list_each_test_once(suite: tuple[Path, int, dict[str, Any]]) -> None:
    # Both shards run the health checks: the same nodeids, the same verdicts, listed once.
    root, code, single = suite
    tests = root / "tests"
    modules = sorted(path.name for path in tests.glob("test_area_*.py"))
    health = [f"tests/{path.name}" for path in tests.glob("test_harness_health.py")]
    assert health
    halves = [modules[: len(modules) // 2], modules[len(modules) // 2 :]]
    shards = []
    for number, half in enumerate(halves):
        shard = f"paths-{number}.json"
        _redphase(root, "verify", "--json", shard, *[f"tests/{name}" for name in half], *health)
        shards.append(shard)
    _assert_merged_equals_single(root, shards, code, single)


def test_different_verdicts_for_one_test_keep_the_bad_one(tmp_path: Path) -> None:
    good = {"nodeid": "t.py::test_a", "verdict": "good-red"}
    bad = {"nodeid": "t.py::test_a", "verdict": "passed"}
    other = {"nodeid": "t.py::test_b", "verdict": "good-red"}
    for name, results in (("a.json", [good, other]), ("b.json", [bad])):
        (tmp_path / name).write_text(
            json.dumps({"results": results, "allow_unwired": False}), encoding="utf-8"
        )
    merged = _redphase(tmp_path, "merge", "a.json", "b.json", "--json", "out.json")
    assert merged.returncode == 1
    assert "t.py::test_a has different verdicts" in merged.stderr
    document = _load(tmp_path / "out.json")
    assert [r["verdict"] for r in document["results"]] == ["passed", "good-red"]
    assert document["results"][0]["shard_verdicts"] == [["a.json", "good-red"], ["b.json", "passed"]]
    assert document["summary"] == {"good-red": 1, "passed": 1}
    alone = _redphase(tmp_path, "merge", "a.json")
    assert alone.returncode == 0, alone.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read shard"),
        ("{not json", "is not valid JSON"),
        ('{"summary": {}}', "is not a verdict JSON"),
        ('{"results": [{"verdict": "good-red"}]}', "results[0] has no string"),
        ('{"results": [{"nodeid": "x", "verdict": "great"}]}', "unknown verdict"),
    ],
)
def test_unreadable_or_invalid_shards_are_usage_errors(
    tmp_path: Path, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "shard.json").write_text(content, encoding="utf-8")
    completed = _redphase(tmp_path, "merge", "shard.json", "--json", "out.json")
    assert completed.returncode == 2
    assert message in completed.stderr
    assert not (tmp_path / "out.json").exists()


def test_shards_that_disagree_on_allow_unwired_need_a_choice(tmp_path: Path) -> None:
    unwired = [{"nodeid": "t.py::test_a", "verdict": "unwired-red"}]
    for name, allow in (("a.json", True), ("b.json", False)):
        (tmp_path / name).write_text(
            json.dumps({"results": unwired, "allow_unwired": allow}), encoding="utf-8"
        )
    assert _redphase(tmp_path, "merge", "a.json", "b.json").returncode == 2
    assert _redphase(tmp_path, "merge", "a.json", "b.json", "--allow-unwired").returncode == 0
    assert _redphase(tmp_path, "merge", "a.json", "b.json", "--no-allow-unwired").returncode == 1
    assert _redphase(tmp_path, "merge").returncode == 2
