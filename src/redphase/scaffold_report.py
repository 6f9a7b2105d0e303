"""What `redphase scaffold` prints for a result, and its exit code: one place for every way it is run.

Light at import, like the run cache: an unchanged project is reported at start-up from here.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from redphase.cache import CachedRun
    from redphase.outcome import ScaffoldResult

OK, PROBLEMS = 0, 1
UNCHANGED = "nothing changed since the last run (cache: .redphase_cache)"
_VERBS = {"create": "create", "append": "append to", "update": "update"}
_SEVERITIES = ("error", "warning", "note")


def report(result: ScaffoldResult, root: Path, *, check: bool, show_diff: bool) -> Iterator[tuple[str, bool]]:
    """(text, to stderr) pairs, in order; each text is printed as it is, with its own line ends."""
    for diagnostic in result.diagnostics:
        yield diagnostic.render() + "\n", True
    for line in result.replayed:
        yield line + "\n", True
    for change in result.changes:
        if change.action == "identical":
            continue
        if show_diff:
            yield change.diff(root), False
        else:
            prefix = "would " if check else ""
            yield f"{prefix}{_VERBS[change.action]} {change.path.relative_to(root).as_posix()}\n", False
    counts = _counts([d.severity.value for d in result.diagnostics], result.replayed)
    unchanged = sum(change.action == "identical" for change in result.changes)
    files = f"{len(result.pending)} files {'to change' if check or show_diff else 'changed'}, {unchanged} unchanged"
    yield _summary(result.features, result.scenarios, UNCHANGED if result.from_cache else files, counts), True


def replay_report(run: CachedRun) -> Iterator[tuple[str, bool]]:
    """What `report` prints for the result of an unchanged project."""
    for line in run.diagnostics:
        yield line + "\n", True
    yield _summary(run.features, run.scenarios, UNCHANGED, _counts([], run.diagnostics)), True


def exit_code(result: ScaffoldResult, *, check: bool, show_diff: bool) -> int:
    stale = (check or show_diff) and bool(result.pending)
    return PROBLEMS if result.has_errors or stale else OK


def _counts(severities: Iterable[str], replayed: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(_SEVERITIES, 0)
    for severity in severities:
        counts[severity] += 1
    for line in replayed:
        first = line.split("\n", 1)[0]
        for severity in _SEVERITIES:
            counts[severity] += f": {severity}: " in first
    return counts


def _summary(features: int, scenarios: int, files: str, counts: dict[str, int]) -> str:
    return (
        f"redphase scaffold: {features} features, {scenarios} scenarios; {files}; "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes\n"
    )
