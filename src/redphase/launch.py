"""The `redphase` console command: the plainest re-scaffold runs before click loads.

Re-scaffolding on every save, or in a loop by an agent, is the commonest run: either nothing
changed and the work is one cache look-up, or one feature changed and the work is a few
milliseconds of planning. Importing click would be a large part of either. So the plainest form,
`redphase scaffold` with at most `--project DIR` (an existing folder), is run here: a cached result
is printed at once, before the configuration or pathlib load; anything else runs the scaffold
command itself (scaffold_command.py, which the CLI calls too), with the same output and exit code.
Every other form goes to the command line in cli.py. Either way scaffold leaves without tearing
the interpreter down; every other command leaves as Python does, but with live objects set aside
from the collector once its exit handlers have run.
"""

from __future__ import annotations

import atexit
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from redphase.cache import FileDigests

OK, PROBLEMS = 0, 1


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] != ["scaffold"]:
        # Registered first, so it runs last: after the exit handlers of the code the command ran.
        from redphase.teardown import settle_before_teardown

        atexit.register(settle_before_teardown)
    project = _plain_scaffold(arguments)
    code = _command_line() if project is None else _plain_scaffold_run(project)
    if arguments[:1] == ["scaffold"]:
        _leave(code)
    # Every other command leaves as Python does: threads and exit handlers of the code it ran
    # (a cookiecutter hook, a plugin, a test) finish as they would anywhere else.
    sys.exit(code)


def _command_line() -> int:
    from redphase.cli import main as cli

    try:
        cli()
    except SystemExit as leaving:
        return _exit_status(leaving.code)
    return OK


def _plain_scaffold(arguments: Sequence[str]) -> str | None:
    """The project folder of `redphase scaffold [--project DIR]` ("" for none); None for any other form."""
    if not arguments or arguments[0] != "scaffold":
        return None
    options = list(arguments[1:])
    if len(options) == 1 and options[0].startswith("--project="):
        options = ["--project", options[0].removeprefix("--project=")]
    if not options:
        return ""
    if len(options) != 2 or options[0] != "--project" or not os.path.isdir(options[1]):
        return None  # the command line's own checks and messages apply
    return options[1]


def _plain_scaffold_run(project: str) -> int:
    code, digests = _unchanged_scaffold(project)
    if code is not None:
        return code
    from redphase.scaffold_command import run_command, without_cyclic_collection

    with without_cyclic_collection():
        # The look has stat'ed (and read, where need be) every file the run fingerprints again.
        return run_command(project or None, write=_write, digests=digests)


def _unchanged_scaffold(project: str) -> tuple[int | None, FileDigests | None]:
    """The exit code after printing a cached result, or None when the scaffold must run; with the
    file digests the look took, for that run."""
    from redphase.cache import FileDigests, unchanged_run
    from redphase.project.root import find_root
    from redphase.scaffold_report import replay_report

    try:
        root = os.path.realpath(project) if project else find_root(os.getcwd())
        digests = FileDigests(root)
        run = unchanged_run(root, digests)
    except OSError:  # a folder gone meanwhile: the scaffold command reports it properly
        return None, None
    if run is None:
        return None, digests
    for text, to_stderr in replay_report(run):
        _write(text, to_stderr)
    return OK, digests


def _write(text: str, to_stderr: bool) -> None:
    (sys.stderr if to_stderr else sys.stdout).write(text)


def _leave(code: int) -> None:
    # Only scaffold leaves this way: it has run no code but its own, and everything it wrote is
    # flushed and renamed into place. A large run ends with millions of live objects, and freeing them one by one took longer than
    # writing every file. As mypy's hard exit does: flush, run the exit handlers (coverage's, for
    # one), and leave with the code Python would have given.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # not contextlib.suppress: importing it costs a tenth of a cached run
            continue  # a closed pipe: there is no one left to tell
    os._exit(code)


def _exit_status(code: object) -> int:
    if code is None:
        return OK
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return PROBLEMS
