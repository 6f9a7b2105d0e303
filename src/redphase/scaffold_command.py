"""`redphase scaffold` as a command: the configuration, the run, its report and its exit code.

Both front ends call `run_command`: the click command line (cli.py), and the console entry's fast
path (launch.py), which runs the plainest form, `redphase scaffold [--project DIR]`, without
loading click: that import was a tenth of a re-scaffold after one edit. Errors the library raises
become the same message and exit code on either path (`failure`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from redphase.cache import FileDigests

OK, PROBLEMS, USAGE = 0, 1, 2

# Prints `text` (no newline added) to standard error when the flag is set, else to standard output.
Write = Callable[[str, bool], None]


def run_command(
    project: str | None,
    paths: Sequence[str] = (),
    *,
    write: Write,
    check: bool = False,
    show_diff: bool = False,
    features: str | None = None,
    tests: str | None = None,
    no_wire: bool = False,
    digests: FileDigests | None = None,
) -> int:
    """Scaffold as the command line asks, print the report through `write`, return the exit code.

    `digests`: the file digests a look at the run cache took just before, in the project's root."""
    from pathlib import Path

    from redphase.command_config import project_config
    from redphase.scaffold import scaffold
    from redphase.scaffold_report import exit_code, report

    try:
        config = project_config(project, features=features, tests=tests, wire=False if no_wire else None)
        if digests is not None and digests.root != str(config.root):
            digests = None  # taken for another folder than the configuration's root
        result = scaffold(config, [Path(path) for path in paths], dry_run=check or show_diff, digests=digests)
    except Exception as error:
        failed = failure(error)
        if failed is None:
            raise
        write(failed[0] + "\n", True)
        return failed[1]
    for text, to_stderr in report(result, config.root, check=check, show_diff=show_diff):
        write(text, to_stderr)
    return exit_code(result, check=check, show_diff=show_diff)


def failure(error: BaseException) -> tuple[str, int] | None:
    """The message and exit code of an error the library raises on purpose; None for any other."""
    from redphase.diagnostics import InternalError, UsageError

    if isinstance(error, UsageError):
        return f"redphase: error: {error}", USAGE
    if isinstance(error, InternalError):
        return f"redphase: internal error: {error}", PROBLEMS
    if isinstance(error, OSError):
        # A file that cannot be read or written is a problem found while running, not a usage error.
        where = f" ({error.filename})" if error.filename else ""
        return f"redphase: error: {error.strerror or error}{where}", PROBLEMS
    return None


@contextlib.contextmanager
def without_cyclic_collection() -> Iterator[None]:
    """The scaffold command's garbage-collector tuning, for the process that runs nothing but the one
    scaffold: only the console entry and the CLI apply it, around `run_command`, never a library call.

    A large run allocates millions of small objects and makes no garbage cycles worth finding: the
    cyclic collector's repeated full passes cost a quarter of the run and free nothing. Library
    callers (init, the cookiecutter hook, a test process) keep their collector as it is.
    """
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What survives goes straight to the oldest generation: re-enabled, the collector would
        # otherwise scan every object the run made at its next young collection.
        gc.freeze()
        gc.unfreeze()
        if collecting:
            gc.enable()
