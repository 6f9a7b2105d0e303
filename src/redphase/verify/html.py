"""`redphase verify --html FILE`: one self-contained page a person would rather look at than read.

The page is rendered from `templates/report/` with Jinja2 autoescaping: every text that comes from
a feature, a test or a message reaches the page escaped, as text. It loads nothing from anywhere:
its style and its one script are inline, and its Content-Security-Policy allows only that script
(by its hash), so even a text that escaped escaping could run nothing.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from redphase.verify import verdicts as v
from redphase.verify.classify import ScenarioRecord

TEMPLATE = "report/report.html.jinja"
SCRIPT = "report/report.js"
STYLE = "report/report.css"

_GOOD_COLOUR = "#1a7f37"
_BAD_COLOUR = "#cf222e"
_NEUTRAL_COLOUR = "#8c959f"


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    from redphase.render.templates import templates_root

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_root())),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _asset(name: str) -> str:
    from redphase.render.templates import templates_root

    return (templates_root() / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def kind_of(verdict: str, allow_unwired: bool, phase: str = "red") -> str:
    if v.is_good(verdict, allow_unwired, phase):
        return "good"
    return "neutral" if verdict in v.NEUTRAL else "bad"


def verdict_order(verdicts: set[str], allow_unwired: bool, phase: str = "red") -> list[str]:
    """Bad reds first, then the good, then the neutral; within each, the verdict table's order."""
    known = [verdict for verdict in v.ALL if verdict in verdicts]
    known += sorted(verdicts - set(known))
    rank = {"bad": 0, "good": 1, "neutral": 2}
    return sorted(known, key=lambda verdict: rank[kind_of(verdict, allow_unwired, phase)])


class _Features:
    """Feature files read once each: their lines, and where each scenario's block starts and ends."""

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self._cache: dict[str, tuple[list[str], list[int]]] = {}

    def _read(self, uri: str) -> tuple[list[str], list[int]]:
        if uri not in self._cache:
            try:
                text = (self.rootdir / uri).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            lines = text.splitlines()
            self._cache[uri] = (lines, _block_starts(text))
        return self._cache[uri]

    def block(self, uri: str, line: int) -> list[tuple[int, str]]:
        """The scenario's own lines (tags above it included), numbered from 1."""
        lines, starts = self._read(uri)
        if not lines or not 1 <= line <= len(lines):
            return []
        end = next((start for start in starts if start > line), len(lines) + 1)
        first = line
        while first > 1 and lines[first - 2].strip().startswith("@"):
            first -= 1
        block = [(number, lines[number - 1]) for number in range(first, end)]
        while block and not block[-1][1].strip():
            block.pop()
        while block and block[-1][1].strip().startswith("@") and block[-1][0] > line:
            block.pop()  # the next scenario's tags
        while block and not block[-1][1].strip():
            block.pop()
        return block


def _block_starts(text: str) -> list[int]:
    """The lines where a Background, Scenario (Outline) or Rule begins, from gherkin-official's AST."""
    try:
        from gherkin.parser import Parser

        document: dict[str, Any] = dict(Parser().parse(text))
    except Exception:  # an unparsable file (it cannot have run): the page shows what it can
        return []
    starts: list[int] = []

    def walk(children: list[dict[str, Any]]) -> None:
        for child in children:
            for kind in ("background", "scenario", "rule"):
                node = child.get(kind)
                if node:
                    starts.append(int(node["location"]["line"]))
                    if kind == "rule":
                        walk(node.get("children", []))

    walk((document.get("feature") or {}).get("children", []))
    return sorted(starts)


def _entry(
    result: dict[str, Any], record: ScenarioRecord | None, features: _Features, allow: bool, phase: str
) -> dict[str, Any]:
    step = result.get("step") or {}
    failing_line = step.get("line") if result["verdict"] not in (v.PASSED, v.NO_OUTCOME) else None
    statuses = {s["line"]: s["status"] for s in record.steps} if record is not None else {}
    gherkin: list[dict[str, Any]] = []
    if record is not None and result.get("feature_file"):
        for number, text in features.block(result["feature_file"], record.line):
            state = statuses.get(number, "")
            if number == failing_line:
                state = "failing"
            gherkin.append({"number": number, "text": text, "state": state})
    return {
        "nodeid": result["nodeid"],
        "verdict": result["verdict"],
        "kind": kind_of(result["verdict"], allow, phase),
        "title": result.get("scenario") or result["nodeid"],
        "feature": result.get("feature") or "",
        "feature_file": result.get("feature_file") or "",
        "line": record.line if record is not None else None,
        "why": result.get("why") or "",
        "exception": result.get("exception") or "",
        "message": result.get("message") or "",
        "hint": result.get("hint") or "",
        "reproduce": result.get("reproduce") or "",
        "expected": result.get("expected"),
        "observed": result.get("observed"),
        "step": step,
        "gherkin": gherkin,
        "xfail": bool(result.get("xfail")),
        # Green phase: each locked function, step or Gherkin that changed, with its unified diff.
        "changes": [
            {"kind": change.get("kind", ""), "name": change.get("name", ""), "diff": change.get("diff", "")}
            for change in result.get("diff") or []
        ],
    }


def _chart(counts: list[tuple[str, int, str]]) -> dict[str, Any]:
    """An inline SVG bar chart: one bar per verdict, as wide as its share of the largest count."""
    width, label, bar_height, gap = 640, 170, 22, 8
    largest = max((count for _, count, _ in counts), default=1) or 1
    colours = {"good": _GOOD_COLOUR, "bad": _BAD_COLOUR, "neutral": _NEUTRAL_COLOUR}
    bars = []
    for index, (verdict, count, kind) in enumerate(counts):
        bars.append(
            {
                "verdict": verdict,
                "count": count,
                "kind": kind,
                "y": index * (bar_height + gap),
                "width": max(2, round((width - label - 60) * count / largest)),
                "colour": colours[kind],
            }
        )
    return {
        "width": width,
        "label": label,
        "bar_height": bar_height,
        "height": max(1, len(bars) * (bar_height + gap)),
        "bars": bars,
    }


def render(
    results: list[dict[str, Any]],
    records: dict[str, ScenarioRecord],
    rootdir: Path,
    allow_unwired: bool,
    title: str = "redphase verdicts",
    phase: str = "red",
) -> str:
    from redphase.verify.report import exit_status, summary_counts

    features = _Features(rootdir)
    order = verdict_order({r["verdict"] for r in results}, allow_unwired, phase)
    groups: list[dict[str, Any]] = []
    for verdict in order:
        entries = [
            _entry(result, records.get(result["nodeid"]), features, allow_unwired, phase)
            for result in results
            if result["verdict"] == verdict
        ]
        groups.append(
            {"verdict": verdict, "kind": kind_of(verdict, allow_unwired, phase), "entries": entries}
        )
    counts: list[tuple[str, int, str]] = [(g["verdict"], len(g["entries"]), g["kind"]) for g in groups]
    script = _asset(SCRIPT)
    style = _asset(STYLE)
    summary = summary_counts(results)
    status = "good" if exit_status(results, allow_unwired, phase) == 0 else "not good"
    text = (
        _environment()
        .get_template(TEMPLATE)
        .render(
            title=title,
            groups=groups,
            counts=counts,
            chart=_chart(counts),
            total=len(results),
            summary_line=", ".join(f"{n} {verdict}" for verdict, n in summary.items()) or "no tests",
            status=status,
            phase=phase,
            script=script,
            style=style,
            script_hash=_csp_hash(script),
            style_hash=_csp_hash(style),
        )
    )
    return str(text)
