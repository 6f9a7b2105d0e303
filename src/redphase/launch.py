"""The `redphase` console command: an unchanged re-scaffold is answered before click loads.

Re-scaffolding on every save, or in a loop by an agent, is the commonest run, and then the work is one
cache look-up: importing click would be most of its time. Only the plainest form is answered here,
`redphase scaffold` with at most `--project DIR`; everything else, and every doubt (no cache entry,
a changed file, a configuration that does not load), goes to the command line in cli.py, which
prints the same for a cache hit. Either way scaffold leaves without tearing the interpreter down.
"""

from __future__ import annotations

import atexit
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

OK, PROBLEMS = 0, 1


def main() -> None:
    arguments = sys.argv[1:]
    code = _unchanged_scaffold(arguments)
    if code is None:
        code = _command_line()
    if arguments[:1] == ["scaffold"]:
        _leave(code)
    # Every other command leaves as Python does: threads and exit handlers of the code it ran
    # (a cookiecutter hook, a plugin) finish as they would anywhere else.
    sys.exit(code)


def _command_line() -> int:
    from redphase.cli import main as cli

    try:
        cli()
    except SystemExit as leaving:
        return _exit_status(leaving.code)
    return OK


def _unchanged_scaffold(arguments: Sequence[str]) -> int | None:
    """The exit code after printing a cached result, or None when the command line must run."""
    if not arguments or arguments[0] != "scaffold":
        return None
    options = list(arguments[1:])
    if len(options) == 1 and options[0].startswith("--project="):
        options = ["--project", options[0].removeprefix("--project=")]
    if options and (len(options) != 2 or options[0] != "--project" or not os.path.isdir(options[1])):
        return None
    from redphase.cache import unchanged_run
    from redphase.project.root import find_root
    from redphase.scaffold_report import replay_report

    try:
        root = os.path.realpath(options[1]) if options else find_root(os.getcwd())
        run = unchanged_run(root)
    except OSError:  # a folder gone meanwhile: the command line reports it properly
        return None
    if run is None:
        return None
    for text, to_stderr in replay_report(run):
        (sys.stderr if to_stderr else sys.stdout).write(text)
    return OK


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
