"""A conftest or plugin that pytest could not load before collection: one collection-error verdict.

pytest imports the rootdir's conftest, those in `testpaths`, and the modules they name in
`pytest_plugins` before the session starts. When one of them fails, no test is collected and no
session hook runs, so this is the only result of the run: it is written here, as the JSON and the
report of any run are.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

from redphase.verify import report
from redphase.verify.collector import collection_error, relative_to_root, reproduce_command
from redphase.verify.exceptions import chain, frames, is_library

_REDPHASE = str(Path(__file__).resolve().parents[1])


def _own_error(error: BaseException) -> BaseException:
    """The project's error inside pytest's wrappers: a conftest's (`cause`), a plugin's (`__cause__`)."""
    while True:
        inner = getattr(error, "cause", None)
        if inner is None and type(error).__name__ == "PluginImportFailure":
            inner = error.__cause__
        if inner is None and str(error).startswith("Error importing plugin"):
            inner = error.__cause__  # pytest 8 re-raises the plugin's ImportError with this message
        if not isinstance(inner, BaseException):
            return error
        error = inner


class StartupFailure:
    def __init__(self, early_config: Any, error: BaseException) -> None:
        self.config = early_config
        self.rootdir = Path(str(early_config.rootpath))
        self.invocation_dir = Path(str(early_config.invocation_params.dir))
        self.error = _own_error(error)
        self.conftest = getattr(error, "path", None)

    def result(self) -> dict[str, Any]:
        path, line = self._location()
        relative = self._relative(path)
        text = "".join(traceback.format_exception(self.error))
        reproduce = reproduce_command(self.rootdir, self.invocation_dir, "", collect_only=True)
        result = collection_error(
            relative, text, self.rootdir, reproduce, f"{relative}:{line}" if line else ""
        )
        result["message"] = f"{type(self.error).__name__}: {self.error}".strip()[:500]
        result["why"] = (
            f"{relative} could not be loaded before collection ({result['category']}), so no test ran"
        )
        return result

    def write(self) -> None:
        options = self.config.known_args_namespace
        results = [self.result()]
        allow = bool(getattr(options, "redphase_allow_unwired", False))
        if getattr(options, "redphase_json", None):
            report.write_json(Path(options.redphase_json), results, allow)
        if getattr(options, "redphase_report", None):
            report.write_markdown(Path(options.redphase_report), results, self.rootdir)
        report.terminal_summary(_StderrReporter(), results, allow)

    def _location(self) -> tuple[str, int]:
        """The file and line in the project where loading failed."""
        for link in chain(self.error):
            if isinstance(link, SyntaxError) and link.filename:
                return link.filename, link.lineno or 0
        for link in chain(self.error):
            own = [
                entry
                for entry in frames(link.__traceback__)
                if not is_library(entry.tb_frame.f_code.co_filename)
                and not entry.tb_frame.f_code.co_filename.startswith(_REDPHASE)
            ]
            if own:
                return own[-1].tb_frame.f_code.co_filename, own[-1].tb_lineno
        named = next(
            (link.name for link in chain(self.error) if isinstance(link, ImportError) and link.name), ""
        )
        if named:
            # A module named in `pytest_plugins` is imported by pytest's own code: no frame is the
            # project's, but the conftest names it.
            found = _conftest_naming(self.rootdir, named)
            if found is not None:
                return found
        return str(self.conftest or ""), 0

    def _relative(self, filename: str) -> str:
        return relative_to_root(filename, self.rootdir) if filename else ""


def _conftest_naming(rootdir: Path, module: str) -> tuple[str, int] | None:
    """The first conftest.py under `rootdir` (virtual environments and hidden folders aside) with a
    line that names `module` in quotes, and that line."""
    import os

    quoted = (f'"{module}"', f"'{module}'")
    for directory, subdirs, files in os.walk(rootdir):
        subdirs[:] = sorted(
            d
            for d in subdirs
            if not d.startswith(".")
            and d not in ("node_modules", "__pycache__", "site-packages")
            and not os.path.isfile(os.path.join(directory, d, "pyvenv.cfg"))
        )
        if "conftest.py" not in files:
            continue
        path = os.path.join(directory, "conftest.py")
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, 1):
                    if any(text in line for text in quoted):
                        return path, number
        except OSError:
            continue
    return None


class _StderrReporter:
    """The two calls of pytest's terminal reporter that the summary makes, on stderr."""

    def __init__(self) -> None:
        from _pytest._io import TerminalWriter

        self.writer = TerminalWriter(sys.stderr)

    def write_sep(self, sep: str, title: str) -> None:
        self.writer.sep(sep, title)

    def write_line(self, line: str, **markup: bool) -> None:
        self.writer.line(line, **markup)
