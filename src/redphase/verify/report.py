"""The three outputs of verify: a terminal summary grouped by verdict, JSON, and the Markdown gaps report."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redphase.verify import verdicts as v

# Verdicts that need no action are listed only this far in the terminal; the JSON has every one.
LISTED = 10


def summary_counts(results: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(result["verdict"] for result in results)
    return {verdict: counts[verdict] for verdict in v.ALL if counts[verdict]}


def exit_status(results: list[dict[str, Any]], allow_unwired: bool, phase: str = "red") -> int:
    judged = [r for r in results if r["verdict"] not in v.NEUTRAL]
    scenarios = [r for r in judged if r["verdict"] not in (v.HEALTH_OK, v.HEALTH_FAILED)]
    if not scenarios:
        return 1
    return 0 if all(v.is_good(r["verdict"], allow_unwired, phase) for r in judged) else 1


class LineReporter:
    """What terminal_summary writes to, as pytest's terminal reporter offers it: plain lines."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo

    def write_sep(self, sep: str, title: str) -> None:
        self.echo(f"{sep * 10} {title} {sep * 10}")

    def write_line(self, line: str, **markup: bool) -> None:
        self.echo(line)


def terminal_summary(
    reporter: Any, results: list[dict[str, Any]], allow_unwired: bool, phase: str = "red"
) -> None:
    reporter.write_sep("=", "redphase verdicts")
    by_verdict: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_verdict.setdefault(result["verdict"], []).append(result)
    for verdict in v.ALL:
        group = by_verdict.get(verdict)
        if not group:
            continue
        colour = (
            {"green": True}
            if v.is_good(verdict, allow_unwired, phase)
            else {"yellow": True}
            if verdict in v.NEUTRAL
            else {"red": True}
        )
        reporter.write_line(f"{verdict} ({len(group)})", bold=True, **colour)
        shown = (
            group if verdict not in (v.NOT_SCENARIO, v.NO_OUTCOME, v.SKIPPED, v.HEALTH_OK) else group[:LISTED]
        )
        for result in shown:
            reporter.write_line(f"  {result['nodeid']}")
            step = result.get("step")
            if step and verdict not in (v.PASSED, v.NO_OUTCOME, v.SKIPPED):
                reporter.write_line(f"    step: {step['keyword']} {step['text']} (line {step['line']})")
            if result.get("message") and verdict not in v.NEUTRAL:
                # A collection error names where it is, as a compiler would: file:line: message.
                where = (
                    f"{result['location']}: "
                    if verdict == v.COLLECTION_ERROR and result.get("location")
                    else ""
                )
                reporter.write_line(f"    {where}{result['message'].splitlines()[0][:200]}")
            for change in result.get("diff") or []:
                reporter.write_line(f"    changed: {change['name']}")
            if (
                result.get("hint")
                and not v.is_good(verdict, allow_unwired, phase)
                and verdict not in v.NEUTRAL
            ):
                first, *rest = result["hint"].splitlines()
                reporter.write_line(f"    hint: {first}")
                for line in rest:
                    reporter.write_line(f"      {line}")
        if len(shown) < len(group):
            reporter.write_line(f"  ... and {len(group) - len(shown)} more (all of them in --json)")
    counts = summary_counts(results)
    status = "good" if exit_status(results, allow_unwired, phase) == 0 else "not good"
    line = ", ".join(f"{count} {verdict}" for verdict, count in counts.items()) or "no tests"
    reporter.write_line(
        f"redphase: {line} - {phase} phase is {status}",
        bold=True,
        green=status == "good",
        red=status != "good",
    )


def write_json(
    path: Path,
    results: list[dict[str, Any]],
    allow_unwired: bool,
    phase: str = "red",
    lock: dict[str, Any] | None = None,
) -> None:
    document: dict[str, Any] = {
        "results": results,
        "summary": summary_counts(results),
        "exit_status": exit_status(results, allow_unwired, phase),
        "allow_unwired": allow_unwired,
        "phase": phase,
    }
    if lock is not None:
        document["lock"] = lock
    write_text_atomically(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def write_markdown(path: Path, results: list[dict[str, Any]], rootdir: Path) -> None:
    good = [r for r in results if r["verdict"] == v.GOOD_RED]
    lines = ["# Red Phase Business Logic Gaps Identified", ""]
    counts = summary_counts(results)
    lines.append(
        "Verdicts: " + (", ".join(f"{n} {verdict}" for verdict, n in counts.items()) or "none") + "."
    )
    lines.append("")
    if not good:
        lines += ["No scenario is a good red yet: nothing below is a business logic gap.", ""]
    for index, result in enumerate(good, 1):
        lines.append(f"## {index}. {result['scenario']}")
        lines.append("")
        lines.append(f"- **Test:** `{result['nodeid']}`")
        lines.append(f"- **Feature:** {result['feature']} (`{result.get('feature_file') or ''}`)")
        step = result.get("step") or {}
        if step:
            lines.append(
                f"- **Failed check:** {step.get('keyword', '')} {step.get('text', '')} (line {step.get('line')})"
            )
        if result.get("expected") or result.get("observed"):
            lines.append(
                f"- **Gap:** expected `{result.get('expected', '')}`, observed `{result.get('observed', '')}`"
            )
        else:
            lines.append(
                f"- **Gap:** {result.get('message', '').splitlines()[0] if result.get('message') else 'see the failed check'}"
            )
        when_steps = result.get("when_steps") or []
        if when_steps:
            lines.append("- **Integration points needing implementation:**")
            for when in when_steps:
                components = _components(when["text"])
                suffix = f" (touches {components})" if components else ""
                lines.append(f"  - {when['keyword']} {when['text']}{suffix}")
        lines.append(f"- **Reproduce:** `{result['reproduce']}`")
        lines.append("")
    bad = [r for r in results if v.is_bad(r["verdict"]) and r["verdict"] != v.GOOD_RED]
    if bad:
        lines += ["## Fix before implementing: bad reds", ""]
        for result in bad:
            first, *rest = (result.get("hint") or result.get("why", "")).splitlines() or [""]
            lines.append(f"- `{result['nodeid']}`: **{result['verdict']}** - {first}")
            if rest:
                lines += ["", "  ```", *(f"  {line}" for line in rest), "  ```", ""]
        lines.append("")
    write_text_atomically(path, "\n".join(lines))


def _components(text: str) -> str:
    from redphase.plan.components import ComponentInference

    found = ComponentInference().touched_by(text)
    return ", ".join(f"{c.name} ({c.treatment})" for c in found)


def write_text_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
