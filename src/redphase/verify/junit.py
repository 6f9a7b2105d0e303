"""Verdicts as JUnit XML properties: `redphase.verdict`, `redphase.why` and `redphase.hint`.

pytest's junitxml plugin writes a testcase's properties when the test's teardown report reaches it.
A verdict is known only once setup, call and teardown are all in, so the teardown report is judged
just before junitxml sees it (a hook wrapper on `pytest_runtest_logreport`, where reports arrive:
this process, or the xdist controller), and the properties go where junitxml writes them.
"""

from __future__ import annotations

from typing import Any

NAMES = ("verdict", "why", "hint")


def log_xml(config: Any) -> Any:
    """pytest's LogXML when `--junitxml` is on, else None."""
    try:
        from _pytest.junitxml import xml_key
    except ImportError:  # pragma: no cover - a pytest that moved it: no properties, no crash
        return None
    return config.stash.get(xml_key, None)


def properties(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f"redphase.{name}", str(result.get(name) or "")) for name in NAMES]


def before_teardown_report(xml: Any, report: Any, result: dict[str, Any], call_failed: bool) -> None:
    """Put the verdict on every testcase junitxml writes for this test.

    junitxml writes the teardown report's `user_properties` onto the testcase it closes. When both
    the call and the teardown failed, it first closes the call's testcase (with the call report's
    properties) and opens a second one for the teardown: that first one gets them directly.
    """
    found = properties(result)
    if report.failed and call_failed:
        reporter = xml.node_reporter(report)
        for name, value in found:
            reporter.add_property(name, value)
    report.user_properties = [*report.user_properties, *found]


def after_collect_report(xml: Any, report: Any, result: dict[str, Any]) -> None:
    """A collection error is a testcase too (junitxml writes it at the end of the session)."""
    reporter = xml.node_reporter(report)
    for name, value in properties(result):
        reporter.add_property(name, value)
