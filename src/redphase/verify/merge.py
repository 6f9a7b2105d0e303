"""`redphase merge`: the verdict JSON of several shards (CI jobs, machines) as one run.

Each shard is the `--json` file of one `redphase verify` run over part of a suite, for example one
pytest-split group (`redphase verify --json shard-1.json -- --splits 4 --group 1`). The merged
results are every shard's results, in the order the shards are given; the summary, the exit status,
the terminal summary and the Markdown report are worked out from them exactly as verify works them
out from one run's results.

A nodeid in more than one shard (overlapping groups, a job re-run, health checks run in every job)
is listed once. Where its verdicts agree, the first shard's entry stands. Where they differ, the
first entry whose verdict is bad stands (a test that was bad anywhere is bad), carrying
`"shard_verdicts"`: each shard's file name and verdict, in shard order; the merge says so on stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redphase.diagnostics import UsageError
from redphase.verify import report
from redphase.verify import verdicts as v


@dataclass
class MergeResult:
    results: list[dict[str, Any]]
    allow_unwired: bool
    exit_code: int
    # nodeids whose shards disagreed on the verdict
    conflicts: list[str] = field(default_factory=list)


def read_shard(path: Path) -> tuple[list[dict[str, Any]], bool, str]:
    """The results, `allow_unwired` and phase of one shard's verdict JSON; a UsageError says what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise UsageError(f"cannot read shard {path}: {reason}") from None
    try:
        document = json.loads(text)
    except ValueError as error:
        raise UsageError(f"shard {path} is not valid JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        raise UsageError(f"shard {path} is not a verdict JSON: expected an object with a `results` list")
    results = document["results"]
    for number, result in enumerate(results):
        if not (
            isinstance(result, dict)
            and isinstance(result.get("nodeid"), str)
            and isinstance(result.get("verdict"), str)
        ):
            raise UsageError(f"shard {path}: results[{number}] has no string `nodeid` and `verdict`")
        if result["verdict"] not in v.ALL:
            raise UsageError(f"shard {path}: results[{number}] has an unknown verdict {result['verdict']!r}")
    allow_unwired = document.get("allow_unwired", False)
    if not isinstance(allow_unwired, bool):
        raise UsageError(f"shard {path}: `allow_unwired` must be true or false")
    phase = document.get("phase", "red")
    if phase not in ("red", "green"):
        raise UsageError(f"shard {path}: `phase` must be red or green")
    return results, allow_unwired, phase


def merge(
    shards: Sequence[Path],
    json_path: Path | None = None,
    report_path: Path | None = None,
    allow_unwired: bool | None = None,
    echo: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
) -> MergeResult:
    """Merge `shards`, print the summary through `echo`, and write `json_path` and `report_path`.

    `allow_unwired` None takes the shards' own setting, which must then agree.
    """
    if not shards:
        raise UsageError("give at least one shard's verdict JSON")
    read = [(path, *read_shard(path)) for path in shards]
    phases = {phase for _, _, _, phase in read}
    if len(phases) > 1:
        raise UsageError("the shards mix red-phase and green-phase runs: merge each phase on its own")
    phase = phases.pop()
    if allow_unwired is None:
        settings = {setting for _, _, setting, _ in read}
        if len(settings) > 1:
            raise UsageError(
                "the shards disagree on allow_unwired: pass --allow-unwired or --no-allow-unwired"
            )
        allow_unwired = settings.pop()
    merged: dict[str, dict[str, Any]] = {}
    seen: dict[str, list[tuple[str, str]]] = {}
    for path, results, _, _ in read:
        for result in results:
            nodeid = result["nodeid"]
            seen.setdefault(nodeid, []).append((path.name, result["verdict"]))
            kept = merged.get(nodeid)
            # A test that was bad in any shard is bad: the first bad entry stands.
            if kept is None or (
                not v.is_bad(kept["verdict"], allow_unwired, phase)
                and v.is_bad(result["verdict"], allow_unwired, phase)
            ):
                merged[nodeid] = result
    conflicts = []
    results = []
    for nodeid, result in merged.items():
        verdicts = seen[nodeid]
        if len({verdict for _, verdict in verdicts}) > 1:
            conflicts.append(nodeid)
            result = {**result, "shard_verdicts": [list(pair) for pair in verdicts]}
            shown = ", ".join(f"{name}: {verdict}" for name, verdict in verdicts)
            warn(f"redphase merge: {nodeid} has different verdicts in different shards ({shown})")
        results.append(result)
    _summary(results, allow_unwired, len(shards), echo, phase)
    if json_path is not None:
        report.write_json(json_path, results, allow_unwired, phase)
    if report_path is not None and phase == "green":
        from redphase.verify import green

        green.write_markdown(report_path, results)
    elif report_path is not None:
        report.write_markdown(report_path, results, Path.cwd())
    return MergeResult(results, allow_unwired, report.exit_status(results, allow_unwired, phase), conflicts)


def _summary(
    results: list[dict[str, Any]], allow_unwired: bool, shards: int, echo: Callable[[str], None], phase: str
) -> None:
    echo(f"redphase merge: {len(results)} results from {shards} shards")
    report.terminal_summary(report.LineReporter(echo), results, allow_unwired, phase)
