"""What counts as application code, and whether any of it ran while the steps ran.

Fixture setup does not count: the watch is switched on only around each step call. Application code
is seen in every thread, so a route handler that a web framework's test client runs in a portal
thread counts. Python 3.12+ uses `sys.monitoring`, which sees every thread (code that is not the
application's is switched off after its first call, so the cost stays near zero). Python 3.11 uses
a profile hook in the calling thread, and one in every thread started once the session began.
A subprocess that a step starts counts when its command runs the application (app_commands.py).
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from redphase.project.application import configured_location, installed_location
from redphase.verify.app_commands import ApplicationCommands

# Folders that hold no application code of the project's own, wherever they appear.
_NOT_APPLICATION_DIRS = frozenset({"site-packages", "dist-packages", "node_modules", "__pypackages__"})


class ApplicationCode:
    """Decides, once per file, whether it is the application's.

    With `[tool.redphase] app`, the named packages or modules are the application. Without it, the
    application is every Python file under the rootdir that is not test code (a test module, a
    conftest, a step-definition module, or anything in the tests folders), nor a third-party package
    (a virtual environment, site-packages, or a hidden folder).
    """

    def __init__(
        self,
        rootdir: Path,
        configured: Iterable[str] = (),
        test_dirs: Iterable[Path] = (),
        test_file_patterns: Iterable[str] = ("test_*.py", "*_test.py"),
    ) -> None:
        self.rootdir = str(rootdir.resolve())
        names = list(configured)
        self.roots = _configured_roots(rootdir, names) if names else ()
        self.by_default = not names
        # The project's packages as installed elsewhere (a wheel in site-packages, not an editable
        # install): the code that runs is that copy, and it is the application all the same.
        self.installed = _installed_copies(names or _project_packages(rootdir), self.rootdir)
        self.test_dirs = tuple(str(path.resolve()) + os.sep for path in test_dirs)
        self.test_file_patterns = tuple(test_file_patterns)
        self._prefixes = tuple(
            {
                str(Path(prefix).resolve()) + os.sep
                for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix)
            }
        )
        self._cache: dict[str, bool] = {}

    def describe(self) -> str:
        if not self.by_default:
            return ", ".join(self.roots) or "nothing (the configured packages were not found)"
        return f"the project's own code under {self.rootdir}"

    def __call__(self, filename: str) -> bool:
        known = self._cache.get(filename)
        if known is None:
            known = self._cache[filename] = self._decide(filename)
        return known

    def _decide(self, filename: str) -> bool:
        if filename.startswith("<"):
            return False
        path = os.path.abspath(filename)
        if _under(path, self.installed):
            return True
        if not self.by_default:
            return _under(path, self.roots)
        if not path.startswith(self.rootdir + os.sep) or path.startswith(self._prefixes):
            return False
        if path.startswith(self.test_dirs):
            return False
        relative = path[len(self.rootdir) + 1 :].split(os.sep)
        if any(part.startswith(".") or part in _NOT_APPLICATION_DIRS for part in relative[:-1]):
            return False
        name = relative[-1]
        if name == "conftest.py" or any(fnmatch.fnmatch(name, p) for p in self.test_file_patterns):
            return False
        if _inside_virtualenv(path, self.rootdir):
            return False
        return not _defines_steps(path)


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root + os.sep) for root in roots)


def _configured_roots(rootdir: Path, names: list[str]) -> tuple[str, ...]:
    roots: list[Path] = []
    for name in names:
        location = configured_location(rootdir, name)
        roots += [location] if location is not None else installed_location(name)
    return tuple(sorted({str(root.resolve()) for root in roots}))


def _project_packages(rootdir: Path) -> list[str]:
    """The regular packages at the top of the project and of its src/ folder."""
    names = []
    for base in (rootdir, rootdir / "src"):
        try:
            entries = sorted(os.scandir(base), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if (
                entry.is_dir()
                and entry.name.isidentifier()
                and entry.name not in ("tests", "test", "testing", "docs", "features")
                and os.path.isfile(os.path.join(entry.path, "__init__.py"))
            ):
                names.append(entry.name)
    return names


def _installed_copies(names: Iterable[str], resolved_root: str) -> tuple[str, ...]:
    """Where each named top-level package is installed, when that is outside the project."""
    copies = set()
    for name in names:
        top, *rest = name.split(".")
        for location in installed_location(top):  # a dotted name is looked up below its package,
            inside = location.joinpath(*rest)  # so that finding it imports nothing
            for candidate in (inside, inside.with_suffix(".py")) if rest else (inside,):
                found = str(candidate.resolve())
                if candidate.exists() and not found.startswith(resolved_root + os.sep):
                    copies.add(found)
    return tuple(sorted(copies))


def _inside_virtualenv(path: str, rootdir: str) -> bool:
    folder = os.path.dirname(path)
    while len(folder) > len(rootdir):
        if os.path.isfile(os.path.join(folder, "pyvenv.cfg")):
            return True
        folder = os.path.dirname(folder)
    return False


def _defines_steps(path: str) -> bool:
    # A module that imports pytest-bdd is a step-definition module, wherever it lives.
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "pytest_bdd" in handle.read()
    except OSError:
        return False


class ProfileHub:
    """One `sys.setprofile` hook shared by the watches that need one (Python 3.11, or no free
    `sys.monitoring` tool): each adds its own function and removes it when done."""

    def __init__(self) -> None:
        self._hooks: list[Any] = []

    def add(self, hook: Any) -> None:
        if hook not in self._hooks:
            self._hooks.append(hook)
        self._install()

    def remove(self, hook: Any) -> None:
        if hook in self._hooks:
            self._hooks.remove(hook)
        self._install()

    def _install(self) -> None:
        if not self._hooks:
            sys.setprofile(None)
        elif len(self._hooks) == 1:
            sys.setprofile(self._hooks[0])
        else:
            sys.setprofile(self._dispatch)

    def _dispatch(self, frame: FrameType, event: str, arg: Any) -> None:
        for hook in tuple(self._hooks):
            hook(frame, event, arg)


_HUB = ProfileHub()
# The subprocesses of subprocess.run, call, check_output and asyncio start here (os.system, os.spawn*
# and pty do not).
_POPEN = subprocess.Popen.__init__.__code__


def profile_hub() -> ProfileHub:
    return _HUB


class AppCodeWatch:
    """Switched on around each step; `ran` says whether application code was called meanwhile."""

    def __init__(self, is_app_file: ApplicationCode) -> None:
        self.is_app_file = is_app_file
        self.commands = ApplicationCommands(is_app_file.rootdir, is_app_file)
        self.ran = False
        # The command line, when the application ran in a subprocess that a step started, and
        # that subprocess until it is seen to have ended.
        self.ran_in = ""
        self._process: Any = None
        self._active = False
        self._monitoring = sys.version_info >= (3, 12)
        self._tool: int | None = None
        if not self._monitoring:
            # Threads started from now on (a test client's portal, a worker pool) carry a hook that
            # looks only while a step runs; threads that existed before the session run no tests.
            threading.setprofile(self._thread_profile)

    def start(self) -> None:
        self._active = True
        if self.ran:
            return  # once application code was seen, nothing a step does can change the answer
        if self._monitoring:
            self._start_monitoring()
        else:
            profile_hub().add(self._profile)

    def stop(self) -> None:
        self._settle()
        if not self._active:
            return
        self._active = False
        if self._monitoring:
            self._stop_monitoring()
        else:
            profile_hub().remove(self._profile)

    def reset(self) -> None:
        self.stop()
        self.ran = False
        self.ran_in = ""
        self._process = None

    def _settle(self) -> None:
        """Once the subprocess that counted has ended: withdraw it if the shell could not find or
        run its command (127, 126), and say so if it failed otherwise."""
        status = getattr(self._process, "returncode", None)
        if status is None:
            return  # still running, or nothing to settle
        self._process = None
        if status in (126, 127):
            self.ran, self.ran_in = False, ""
        elif status != 0:
            self.ran_in += f" (it exited with status {status})"

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        # `ran` may have been set by another thread (a test client's portal runs the application
        # while this thread waits for it): the answer is known, so this thread stops looking too.
        if not self.ran and event == "call":
            code = frame.f_code
            if self._starts_application(frame) if code is _POPEN else self.is_app_file(code.co_filename):
                self.ran = True
        if self.ran:
            profile_hub().remove(self._profile)

    def _thread_profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if self._active and event == "call" and not self.ran:
            code = frame.f_code
            if self._starts_application(frame) if code is _POPEN else self.is_app_file(code.co_filename):
                self.ran = True

    def _starts_application(self, popen: FrameType) -> bool:
        arguments = popen.f_locals
        try:
            shown = self.commands.shown(
                arguments.get("args"),
                arguments.get("executable"),
                arguments.get("cwd"),
                bool(arguments.get("shell")),
                arguments.get("env"),
            )
        except Exception:  # whatever the command is, the watch must not break the step that starts it
            return False
        if shown:
            self.ran_in = shown if len(shown) <= 200 else shown[:199] + "…"
            self._process = arguments.get("self")
        return bool(shown)

    def _start_monitoring(self) -> None:
        monitoring: Any = getattr(sys, "monitoring")  # noqa: B009 - absent on 3.11, where this is never called
        if self._tool is None:
            # 0, 1 and 2 are claimed by debuggers, coverage and profilers; 3 and 4 have no owner.
            for tool in (4, 3, 5):
                if monitoring.get_tool(tool) is None:
                    monitoring.use_tool_id(tool, "redphase")
                    self._tool = tool
                    break
            else:
                self._monitoring = False
                threading.setprofile(self._thread_profile)
                profile_hub().add(self._profile)
                return
            monitoring.register_callback(self._tool, monitoring.events.PY_START, self._on_start)
        monitoring.restart_events()
        monitoring.set_events(self._tool, monitoring.events.PY_START)

    def _stop_monitoring(self) -> None:
        monitoring: Any = getattr(sys, "monitoring")  # noqa: B009
        if self._tool is not None:
            monitoring.set_events(self._tool, 0)

    def _on_start(self, code: CodeType, offset: int) -> Any:
        monitoring: Any = getattr(sys, "monitoring")  # noqa: B009
        if code is _POPEN and not self._starts_application(sys._getframe(1)):
            return None  # kept on: a later subprocess in the same step may be the application's
        if code is _POPEN or self.is_app_file(code.co_filename):
            self.ran = True
            # The answer is known: no further event is needed until the next step restarts them.
            if self._tool is not None:
                monitoring.set_events(self._tool, 0)
        return monitoring.DISABLE

    def close(self) -> None:
        self.stop()
        if not self._monitoring:
            threading.setprofile(None)
        elif self._tool is not None:
            monitoring: Any = getattr(sys, "monitoring")  # noqa: B009
            monitoring.register_callback(self._tool, monitoring.events.PY_START, None)
            monitoring.free_tool_id(self._tool)
            self._tool = None
