"""`redphase verify --jobs N`: the suite as N pytest processes at once, judged as one run.

Each shard collects only its share of the test files (see redphase.verify.shards) and writes what
it gathered, unjudged. This process then judges every test, updates or checks redphase.lock, and
writes the summary, JSON and reports exactly as one pytest process would have: the same code, given
the same tests, so the verdicts are those of a serial run.

pytest-xdist runs tests in parallel too, but each of its workers collects the whole suite, and on a
machine with few cores that duplicated collection is much of what it could have saved.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from redphase.diagnostics import UsageError
from redphase.verify import report
from redphase.verify.collector import Collector, RunSettings

# pytest-xdist's workers (--jobs runs its own processes), and an output file every shard would write.
_XDIST = re.compile(r"(-n|--numprocesses)=?(?P<count>\S*)$|--dist(=.*)?$")
_JUNIT = re.compile(r"--junit-?xml(=.*)?$")
# Set in each shard's environment to K/N.
SHARD_VARIABLE = "REDPHASE_SHARD"


def refusal(pytest_args: Sequence[str]) -> str:
    """Why these pytest arguments cannot be split into shards, or "". `-n 0` (no xdist workers) is fine."""
    for number, arg in enumerate(pytest_args):
        if arg == "--":
            break
        xdist = _XDIST.match(arg)
        if xdist is not None:
            count = xdist.group("count") or ""
            if (not count and arg.startswith("-n")) or arg == "--numprocesses":
                count = pytest_args[number + 1] if number + 1 < len(pytest_args) else ""
            if count != "0":
                return (
                    "--jobs does not combine with pytest-xdist's -n or --dist: --jobs runs its own processes"
                )
        if _JUNIT.match(arg):
            return "--jobs does not combine with --junitxml: every shard would write the same file"
    return ""


def _echo(line: str) -> None:
    print(line, flush=True)


def run_shards(
    commands: Sequence[list[str]],
    outputs: Sequence[Path],
    target: Path,
    reports: dict[str, str] | None = None,
    echo: Callable[[str], None] = _echo,
) -> int:
    """Run each shard's command at once, then judge them together into `target` (the run's JSON)
    and the `reports` (RunSettings' report paths) asked for.

    The first shard prints as it goes; the others' output is kept and shown once each is done.
    Returns pytest's exit code for the whole run.
    """
    kept: list[IO[bytes]] = []
    processes = []
    environment = _shard_environment()
    for number, command in enumerate(commands):
        # Which shard this is, for a suite that keeps a resource per process (a database, a port):
        # pytest-xdist's worker_id is "master" in every shard, for none is an xdist worker.
        shard = {**environment, SHARD_VARIABLE: f"{number + 1}/{len(commands)}"}
        if number == 0:
            processes.append(subprocess.Popen(command, env=shard))
            continue
        kept.append(open(target.parent / f"shard-{number + 1}.out", "w+b"))  # noqa: SIM115 - closed below
        processes.append(subprocess.Popen(command, stdout=kept[-1], stderr=subprocess.STDOUT, env=shard))
    try:
        codes = [wait(process) for process in processes]
        for number, handle in enumerate(kept, start=2):
            handle.seek(0)
            text = handle.read().decode("utf-8", "replace")
            if text:
                echo(f"---------- shard {number} of {len(commands)} ----------")
                echo(text.rstrip("\n"))
    finally:
        for handle in kept:
            handle.close()
    states = [
        _state(path, number, len(commands), code)
        for number, (path, code) in enumerate(zip(outputs, codes, strict=True), start=1)
    ]
    judge(states, target, reports or {}, echo)
    return combined_exit(codes)


def _shard_environment() -> dict[str, str]:
    """The shards' environment: this one, with one hash seed for all of them when none is set.

    A test file shared out test by test must hold the same tests in every shard, and a test
    parametrised from a set (or anything else hash-ordered) gets the same node ids for other
    values under another seed: with one seed the run is random from run to run, as a serial one is,
    but the same in every shard.
    """
    environment = dict(os.environ)
    if not environment.get("PYTHONHASHSEED"):
        environment["PYTHONHASHSEED"] = str(random.SystemRandom().randrange(1, 2**32 - 1))
    return environment


def wait(process: subprocess.Popen[bytes]) -> int:
    """The child's exit code, waiting on through Ctrl-C: the child got the same Ctrl-C, stops its
    tests and writes what it has."""
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def _state(path: Path, number: int, count: int, code: int) -> dict[str, Any]:
    if not path.is_file():
        raise UsageError(
            f"pytest could not run shard {number} of {count} (exit code {code}); see its message above"
        )
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise UsageError(f"shard {number} of {count} wrote something that is not its state")
    return document


def judge(
    states: list[dict[str, Any]], target: Path, reports: dict[str, str], echo: Callable[[str], None]
) -> None:
    """Every shard's tests judged as one run's, written to `target`."""
    full = [state for state in states if "shard_state" in state]
    # A conftest or plugin that failed to load stopped a shard before its session: its verdict is
    # final, and the shard has written it as a run's JSON (see redphase.verify.startup).
    early = {
        result["nodeid"]: result
        for state in states
        if "shard_state" not in state
        for result in state.get("results", [])
    }
    if not full:
        report.write_json(target, list(early.values()), bool(states[0].get("allow_unwired")))
        return
    settings = {**full[0]["settings"], "json_path": str(target), **reports}
    collector = Collector(RunSettings.from_json(settings))
    collector.take_shards(full)
    shown = {result["nodeid"] for result in collector.results}
    collector.results[:0] = [result for nodeid, result in early.items() if nodeid not in shown]
    collector.conclude(report.LineReporter(echo))


def combined_exit(codes: Sequence[int]) -> int:
    """pytest's exit code for the shards as one run: an interruption or error anywhere first, then
    failed tests, then "no tests ran" only where no shard ran any."""
    for serious in (2, 3, 4):
        if serious in codes:
            return serious
    if 1 in codes:
        return 1
    if codes and all(code == 5 for code in codes):
        return 5
    return 0
