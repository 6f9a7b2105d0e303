"""Under `--junitxml`, every testcase carries its verdict as properties, serially and under xdist."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.reports.runs import Run


def _nodeid(case: ET.Element) -> str:
    classname, name = case.get("classname") or "", case.get("name") or ""
    if not classname:  # a collection error: junitxml names the module or folder, dotted
        return name
    return classname.replace(".", "/") + ".py::" + name


@pytest.mark.slow
def test_every_testcase_carries_the_json_verdict(run: Run) -> None:
    results = {r["nodeid"]: r for r in run.results}
    dotted = {nodeid.replace("/", ".").removesuffix(".py"): r for nodeid, r in results.items()}
    by_name = {(r["nodeid"].rpartition("::")[2]): r for r in run.results}
    cases = list(ET.parse(run.junit).iter("testcase"))
    assert len(cases) >= len(results)
    seen = set()
    for case in cases:
        nodeid = _nodeid(case)
        # junitxml dots a nested path's folders, so a module's own name is the sure part of it.
        result = results.get(nodeid) or dotted.get(nodeid) or by_name[case.get("name") or ""]
        seen.add(result["nodeid"])
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert properties["redphase.verdict"] == result["verdict"], nodeid
        assert properties["redphase.why"] == result["why"], nodeid
        assert properties["redphase.hint"] == (result["hint"] or ""), nodeid
    assert seen == set(results)
    # Only the verdict's properties: the plugin's own recorded data stays out of the XML.
    names = {p.get("name") for p in ET.parse(run.junit).iter("property")}
    assert names <= {"redphase.verdict", "redphase.why", "redphase.hint"}
