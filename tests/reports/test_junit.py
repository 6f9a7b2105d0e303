"""Under `--junitxml`, every testcase carries its verdict as properties, serially and under xdist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.verify.projects import write_project


def _run(root: Path, *pytest_args: str) -> tuple[dict[str, Any], ET.ElementTree[ET.Element]]:
    subprocess.run(
        [sys.executable, "-m", "redphase", "verify", "--json", "v.json", "--", "-p", "no:cacheprovider",
         "--junitxml=junit.xml", *pytest_args],
        cwd=root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False,
    )  # fmt: skip
    results = {r["nodeid"]: r for r in json.loads((root / "v.json").read_text(encoding="utf-8"))["results"]}
    return results, ET.parse(root / "junit.xml")


def _nodeid(case: ET.Element) -> str:
    classname, name = case.get("classname") or "", case.get("name") or ""
    if not classname:  # a collection error: junitxml names the module or folder, dotted
        return name
    return classname.replace(".", "/") + ".py::" + name


@pytest.mark.slow
@pytest.mark.parametrize("pytest_args", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_every_testcase_carries_the_json_verdict(tmp_path: Path, pytest_args: tuple[str, ...]) -> None:
    results, tree = _run(write_project(tmp_path), *pytest_args)
    dotted = {nodeid.replace("/", ".").removesuffix(".py"): r for nodeid, r in results.items()}
    seen = set()
    cases = list(tree.iter("testcase"))
    assert len(cases) >= len(results)
    for case in cases:
        nodeid = _nodeid(case)
        result = results.get(nodeid) or dotted[nodeid]
        seen.add(result["nodeid"])
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert properties["redphase.verdict"] == result["verdict"], nodeid
        assert properties["redphase.why"] == result["why"], nodeid
        assert properties["redphase.hint"] == (result["hint"] or ""), nodeid
    assert seen == set(results)
