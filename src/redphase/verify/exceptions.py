"""What an exception says about where a red came from: its chain, where it was raised, what it touched."""

from __future__ import annotations

import errno
import re
import sysconfig
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType, TracebackType

from redphase.frozen import frozen

_INFRA_ERRNOS = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT, errno.ECONNRESET}
_INFRA_NAMES = re.compile(r"(Connect|Connection|Timeout|Unreachable|OperationalError|InterfaceError)", re.I)
_INFRA_WORDS = re.compile(
    r"(connection refused|could not connect|can't connect|failed to connect|timed out|unreachable|"
    r"name or service not known|temporary failure in name resolution|unable to open database|no route to host)",
    re.I,
)
_ADDRESS = re.compile(
    r"((?:\d{1,3}\.){3}\d{1,3}|localhost|\[[0-9a-fA-F:]+\]|[\w.-]+\.\w+)[:, ]+(?:port )?(\d{2,5})"
)
_FIXTURES_MODULE = str(Path("_pytest", "fixtures.py"))
_LIBRARY_ROOTS = tuple(
    {
        str(Path(path).resolve())
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (path := sysconfig.get_path(key))
    }
)


def chain(exception: BaseException) -> list[BaseException]:
    """The exception, then every cause and context behind it, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exception]
    while todo:
        current = todo.pop(0)
        if any(current is known for known in seen):
            continue
        seen.append(current)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)
    return seen


def infrastructure(exception: BaseException) -> BaseException | None:
    """The link in the chain that says a service could not be reached, if there is one."""
    for link in chain(exception):
        if isinstance(link, ConnectionError | TimeoutError):
            return link
        if isinstance(link, OSError) and link.errno in _INFRA_ERRNOS:
            return link
        if _INFRA_NAMES.search(type(link).__name__) and _INFRA_WORDS.search(str(link)):
            return link
        if type(link).__name__ == "gaierror":
            return link
    return None


def address(exception: BaseException) -> str:
    """host:port of what refused: from the message, else from the (host, port) the failing frames held."""
    for link in chain(exception):
        for argument in link.args:
            if _is_address(argument):
                return f"{argument[0]}:{argument[1]}"
        match = _ADDRESS.search(str(link))
        if match:
            return f"{match.group(1)}:{match.group(2)}"
    for link in chain(exception):
        for entry in reversed(list(frames(link.__traceback__))):
            for value in entry.tb_frame.f_locals.values():
                if _is_address(value):
                    return f"{value[0]}:{value[1]}"
                try:
                    host, port = getattr(value, "host", None), getattr(value, "port", None)
                except Exception:  # a property that raises tells us nothing
                    continue
                if isinstance(host, str) and isinstance(port, int):
                    return f"{host}:{port}"
    return ""


def _is_address(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) >= 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
    )


def frames(traceback: TracebackType | None) -> Iterator[TracebackType]:
    while traceback is not None:
        yield traceback
        traceback = traceback.tb_next


def is_library(filename: str) -> bool:
    resolved = filename if filename.startswith("<") else str(Path(filename).resolve())
    return resolved.startswith("<") or resolved.startswith(_LIBRARY_ROOTS) or "site-packages" in resolved


@frozen
class Origin:
    where: str  # "test", "application" or "library"
    unwired: bool


def origin(
    exception: BaseException, is_app_file: Callable[[str], bool], step_code: CodeType | None
) -> Origin:
    """Where `exception` was raised: application code anywhere below the step function (or, with no
    step, anywhere on the stack) makes it "application"; else the innermost frame decides."""
    entries = list(frames(exception.__traceback__))
    start = next((i for i, entry in enumerate(entries) if entry.tb_frame.f_code is step_code), None)
    below = entries[start + 1 :] if start is not None else entries
    scope = entries[start:] if start is not None else entries
    unwired = "<unwired" in str(exception) or any(
        _holds_unwired(entry.tb_frame.f_locals)
        for entry in scope
        if not is_library(entry.tb_frame.f_code.co_filename)
    )
    if any(is_app_file(entry.tb_frame.f_code.co_filename) for entry in below):
        return Origin("application", unwired)
    if entries and is_library(entries[-1].tb_frame.f_code.co_filename):
        return Origin("library", unwired)
    return Origin("test", unwired)


def raised_in_fixture(exception: BaseException, step_code: CodeType | None) -> bool:
    """Whether the exception came out of a fixture function that pytest was setting up for the
    step, rather than out of the step function's own body."""
    entries = list(frames(exception.__traceback__))
    last_fixture = max(
        (
            index
            for index, entry in enumerate(entries)
            if entry.tb_frame.f_code.co_name == "call_fixture_func"
            and entry.tb_frame.f_code.co_filename.endswith(_FIXTURES_MODULE)
        ),
        default=None,
    )
    if last_fixture is None or step_code is None:
        return False
    return all(entry.tb_frame.f_code is not step_code for entry in entries[last_fixture:])


def _holds_unwired(namespace: dict[str, object]) -> bool:
    """A placeholder in the frame, or a harness that handed one out to an earlier step: a Given or
    When that did nothing leaves the Then comparing against a system that was never driven."""
    for value in namespace.values():
        if _is_unwired(value):
            return True
        pending = vars(value).get("unwired") if hasattr(value, "__dict__") else None
        if isinstance(pending, list) and any(_is_unwired(item) for item in pending):
            return True
    return False


def _is_unwired(value: object) -> bool:
    return getattr(type(value), "redphase_unwired", False) is True


def first_line(exception: BaseException, limit: int = 500) -> str:
    text = str(exception).strip()
    if isinstance(exception, SystemExit):
        # Its text is only the exit status ("2"), which says nothing on its own.
        text = (
            f"SystemExit({text or None}): the code called sys.exit, as a click or argparse command line does"
        )
    return text[:limit] + ("…" if len(text) > limit else "")
