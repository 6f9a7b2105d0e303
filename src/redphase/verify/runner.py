"""`redphase verify`: run pytest with the plugin and turn its verdicts into an exit code.

pytest runs from the folder verify was started in, and sees the project exactly as the README's
`python -m pytest` and each result's `reproduce` command do: that folder first on `sys.path`, the
same rootdir and configuration.

By default it runs as `python -m pytest` in a child process, so that nothing the tests do (threads,
exit handlers, signal handlers, the garbage collector) touches the caller. The `redphase` command
asks for `in_this_process` instead: it is a process of its own that ends when pytest does, as
`python -m pytest` would, and a second interpreter starting up was most of verify's cost over plain
pytest on a small project.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from redphase.diagnostics import UsageError
from redphase.frozen import frozen
from redphase.verify.report import exit_status, write_text_atomically

# redphase is imported before pytest starts, so pytest cannot rewrite the plugin's asserts: harmless.
_REWRITE_WARNING = (
    "ignore:Module already imported so cannot be rewritten; redphase:pytest.PytestAssertRewriteWarning"
)


@frozen
class VerifyResult:
    exit_code: int
    results: list[dict[str, object]]
    pytest_exit: int


@frozen
class VerifyOptions:
    """What `redphase verify` was asked for, besides the arguments that go to pytest unchanged."""

    json_path: Path | None = None
    report_path: Path | None = None
    allow_unwired: bool = False
    messages_path: Path | None = None
    html_path: Path | None = None
    phase: str = "red"
    relock: tuple[str, ...] = ()
    lock: bool = True
    # "on", "off" or "check"; None leaves it to REDPHASE_STEP_INDEX and [tool.redphase] step_index.
    step_index: str | None = None
    # Run pytest here rather than in a child: only for a caller whose process is the run's own.
    in_this_process: bool = False
    # More than one: that many pytest processes at once, each collecting its share of the test files.
    jobs: int = 1


def pytest_command(pytest_args: Sequence[str], json_target: Path, options: VerifyOptions) -> list[str]:
    """The child's command line."""
    return [sys.executable, "-m", "pytest", *pytest_arguments(pytest_args, json_target, options)]


def pytest_arguments(pytest_args: Sequence[str], json_target: Path, options: VerifyOptions) -> list[str]:
    """pytest's arguments. Every option of ours is one `--name=value` word: pytest's first scan for
    the rootdir takes any word that does not start with `-` for a test path, and an output file that
    exists from an earlier run would move the rootdir."""
    command = list(pytest_args)
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        command += ["-p", "redphase.verify.plugin"]
    command += [
        "--redphase",
        "--continue-on-collection-errors",
        f"--redphase-json={json_target.absolute()}",
        f"-W{_REWRITE_WARNING}",
    ]
    outputs = (
        ("report", options.report_path),
        ("messages", options.messages_path),
        ("html", options.html_path),
    )
    command += [f"--redphase-{name}={path.absolute()}" for name, path in outputs if path is not None]
    if options.allow_unwired:
        command.append("--redphase-allow-unwired")
    if options.lock or options.phase == "green":
        command.append("--redphase-lock")
    command.append(f"--redphase-phase={options.phase}")
    command += [f"--redphase-relock={nodeid}" for nodeid in options.relock]
    if options.step_index is not None:
        command.append(f"--redphase-step-index={options.step_index}")
    return command


def verify(pytest_args: Sequence[str], options: VerifyOptions) -> VerifyResult:
    if sys.flags.optimize:
        raise UsageError(
            "redphase refuses to run under `python -O`: assert statements are removed, so no red could be good"
        )
    if options.jobs < 1:
        raise UsageError(f"--jobs takes a number of processes, 1 or more, not {options.jobs}")
    if options.jobs > 1:
        from redphase.verify.jobs import refusal

        reason = refusal(pytest_args)
        if reason:
            raise UsageError(reason)
    # Fixed now: a test run in this process may change the working folder and leave it changed.
    json_path = options.json_path.absolute() if options.json_path is not None else None
    with tempfile.TemporaryDirectory(prefix="redphase-") as scratch:
        # pytest writes into scratch, so a JSON file left by an earlier run is never read as this
        # run's, and it is replaced only once this run has verdicts.
        target = Path(scratch) / "verdicts.json"
        if options.jobs > 1:
            code = _run_shards(pytest_args, target, options)
        elif options.in_this_process:
            code = _run_here(pytest_arguments(pytest_args, target, options))
        else:
            code = _run(pytest_command(pytest_args, target, options))
        if not target.is_file():
            raise UsageError(f"pytest could not run (exit code {code}); see its message above")
        text = target.read_text(encoding="utf-8")
    if json_path is not None:
        write_text_atomically(json_path, text)
    document = json.loads(text)
    results = document["results"]
    status = exit_status(results, options.allow_unwired, options.phase)
    if (document.get("lock") or {}).get("refused"):
        status = 1  # a --relock that could not be honoured: the changed test was not shown red
    return VerifyResult(status, results, code)


def _run_shards(pytest_args: Sequence[str], target: Path, options: VerifyOptions) -> int:
    from dataclasses import replace

    from redphase.verify.jobs import run_shards

    count = options.jobs
    outputs = [target.parent / f"shard-{number}.json" for number in range(1, count + 1)]
    # The reports are written once, by this process, from every shard's tests.
    shard_options = replace(options, report_path=None, messages_path=None, html_path=None)
    commands = [
        [
            sys.executable,
            "-m",
            "redphase.verify.shard_process",
            *pytest_arguments(pytest_args, output, shard_options),
            f"--redphase-shard={number}/{count}",
            *(["--redphase-shard-records"] if options.messages_path or options.html_path else []),
        ]
        for number, output in enumerate(outputs, start=1)
    ]
    reports = {
        "report_path": options.report_path,
        "messages_path": options.messages_path,
        "html_path": options.html_path,
    }
    return run_shards(
        commands, outputs, target, {name: str(path.absolute()) for name, path in reports.items() if path}
    )


def _run_here(arguments: list[str]) -> int:
    import pytest

    # What `python -m pytest` puts first on sys.path, unless Python was told not to (-P).
    here = os.getcwd()
    if not sys.flags.safe_path and sys.path[:1] != [here]:
        sys.path.insert(0, here)
    try:
        return int(pytest.main(arguments))
    except KeyboardInterrupt:  # before pytest's session could catch it: nothing ran to judge
        return int(pytest.ExitCode.INTERRUPTED)


def _run(command: list[str]) -> int:
    import subprocess

    from redphase.verify.jobs import wait

    return wait(subprocess.Popen(command))
