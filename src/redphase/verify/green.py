"""What the lock means to a person: the red run's lock notes, and the green report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redphase.verify import verdicts as v


def terminal_lock_notes(reporter: Any, notes: dict[str, Any]) -> None:
    """The red run's changes to redphase.lock, one line each."""
    total = notes.get("entries", 0)
    reporter.write_line(
        f"redphase.lock: {total} locked, {len(notes['added'])} added, {len(notes['relocked'])} relocked",
        bold=True,
    )
    for item in notes["kept"]:
        reporter.write_line(
            f"  kept {item['nodeid']}: locked, but {item['verdict']} now (its entry stays)", yellow=True
        )
    for nodeid in notes["changed"]:
        reporter.write_line(
            f"  changed {nodeid}: good-red, but its test changed since it was locked;"
            f" `redphase verify --relock {nodeid}` records it again",
            yellow=True,
        )
    for item in notes["refused"]:
        reporter.write_line(
            f"  refused --relock {item['nodeid']}: {item['verdict']}, only a good red can be locked",
            red=True,
        )


def one_line(results: list[dict[str, Any]], exit_code: int, phase: str = "green") -> str:
    """The reason a hook prints: the outcome, or the first problem, in one line."""
    bad = sorted(
        (r for r in results if v.is_bad(r["verdict"], phase=phase)),
        key=lambda r: v.most_pressing_first(r["verdict"]),
    )
    if exit_code == 0:
        good = v.GREEN if phase == "green" else v.GOOD_RED
        return f"redphase {phase}: ok, {sum(r['verdict'] == good for r in results)} {good}"
    first = bad[0] if bad else None
    detail = f"{first['verdict']} {first['nodeid']}" if first else "no scenario was judged good"
    if first and first.get("diff"):
        detail += f" ({first['diff'][0]['name']})"
    more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
    return f"redphase {phase}: {detail}{more}"


def write_markdown(path: Path, results: list[dict[str, Any]]) -> None:
    from redphase.verify.report import summary_counts, write_text_atomically

    counts = summary_counts(results)
    lines = ["# Green Phase: locked scenarios", ""]
    lines.append(
        "Verdicts: " + (", ".join(f"{n} {verdict}" for verdict, n in counts.items()) or "none") + "."
    )
    lines.append("")
    sections = [
        (v.GREEN, "Turned green"),
        (v.TAMPERED, "Tampered with"),
        (v.MISSING, "Missing from the suite"),
        (v.STILL_RED, "Still red"),
        (v.NEVER_RED, "Never seen red"),
    ]
    for verdict, title in sections:
        group = [r for r in results if r["verdict"] == verdict]
        if not group:
            continue
        lines += [f"## {title} ({len(group)})", ""]
        for result in group:
            lines.append(f"- `{result['nodeid']}`: {result.get('scenario') or ''}")
            locked = (result.get("lock") or {}).get("then") or {}
            if locked.get("text"):
                expected = f", expected `{locked['expected']}`" if locked.get("expected") else ""
                lines.append(f"  - locked check: {locked.get('keyword')} {locked['text']}{expected}")
            if verdict == v.STILL_RED and (result.get("expected") or result.get("observed")):
                lines.append(
                    f"  - gap: expected `{result.get('expected', '')}`, observed `{result.get('observed', '')}`"
                )
            for change in result.get("diff") or []:
                lines += [f"  - changed: {change['name']}", "", "    ```diff"]
                lines += [f"    {line}" for line in change["diff"].splitlines()]
                lines += ["    ```", ""]
            if verdict not in (v.GREEN,) and result.get("hint"):
                lines.append(f"  - {result['hint'].splitlines()[0]}")
        lines.append("")
    other = [
        r for r in results if r["verdict"] not in v.GREEN_PHASE and v.is_bad(r["verdict"], phase="green")
    ]
    if other:
        lines += ["## Other problems", ""]
        for result in other:
            lines.append(f"- `{result['nodeid']}`: **{result['verdict']}** - {result.get('why', '')}")
        lines.append("")
    write_text_atomically(path, "\n".join(lines))
