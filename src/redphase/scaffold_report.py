"""What `redphase scaffold` prints for a result, and its exit code: one place for every way it is run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from redphase.scaffold import ScaffoldResult

OK, PROBLEMS = 0, 1
_VERBS = {"create": "create", "append": "append to", "update": "update"}


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
    counts = {
        severity: sum(d.severity.value == severity for d in result.diagnostics)
        for severity in ("error", "warning", "note")
    }
    for line in result.replayed:
        for severity in counts:
            counts[severity] += f": {severity}: " in line.split("\n", 1)[0]
    unchanged = sum(change.action == "identical" for change in result.changes)
    files = f"{len(result.pending)} files {'to change' if check or show_diff else 'changed'}, {unchanged} unchanged"
    if result.from_cache:
        files = "nothing changed since the last run (cache: .redphase_cache)"
    yield (
        (
            f"redphase scaffold: {result.features} features, {result.scenarios} scenarios; {files}; "
            f"{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes\n"
        ),
        True,
    )


def exit_code(result: ScaffoldResult, *, check: bool, show_diff: bool) -> int:
    stale = (check or show_diff) and bool(result.pending)
    return PROBLEMS if result.has_errors or stale else OK
