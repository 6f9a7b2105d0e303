"""Whether a command a step starts in a subprocess runs the project's application.

A step may drive the application as its users do, through its command line:
`subprocess.run(["hello", "--shout"])` or `[sys.executable, "-m", "hello"]`. The application's code
then runs in another process, where no watch sees it. The command counts as the application's when
it names one of these:
- a console script that the project declares ([project.scripts] or [project.gui-scripts],
  [tool.poetry.scripts], or setup.cfg's console_scripts);
- Python, with `-m` and a module of the application, with a script file of the application, or
  with `-c` and code that imports a module of the application;
- a file of the application by its path.
Any other command does not count: what it runs cannot be told from its words.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

_PYTHON = re.compile(r"python(\d+(\.\d+)?)?(\.exe)?$")
# Interpreter options that take the next word as their value.
_WITH_VALUE = {"-W", "-X", "--check-hash-based-pycs"}


class ApplicationCommands:
    def __init__(self, rootdir: str, is_app_file: Callable[[str], bool]) -> None:
        self.rootdir = rootdir
        self.is_app_file = is_app_file
        self._scripts: frozenset[str] | None = None

    def shown(self, args: Any, executable: Any = None, cwd: Any = None, shell: bool = False) -> str:
        """The command as a person would type it, when it runs the application; "" when it does not."""
        argv = _argv(args, shell)
        if not argv:
            return ""
        program = os.fsdecode(executable) if executable is not None and not shell else argv[0]
        folder = os.fsdecode(cwd) if cwd is not None else os.getcwd()
        if _is_python(program):
            runs = self._python_runs_application(argv[1:], folder)
        else:
            runs = self._is_app_path(program, folder) or os.path.basename(program) in self.scripts()
        return shlex.join(argv) if runs else ""

    def scripts(self) -> frozenset[str]:
        if self._scripts is None:
            self._scripts = frozenset(_declared_scripts(Path(self.rootdir)))
        return self._scripts

    def _python_runs_application(self, options: list[str], folder: str) -> bool:
        words = iter(options)
        for word in words:
            if word in _WITH_VALUE:
                next(words, None)
            elif word == "-m" or (word.startswith("-m") and not word.startswith("--")):
                return self._is_app_module(word[2:] or next(words, ""))
            elif word.startswith("-c"):
                return any(self._is_app_module(name) for name in _imported(word[2:] or next(words, "")))
            elif word == "-":
                return False  # code on stdin: nothing names what it runs
            elif not word.startswith("-"):
                return self._is_app_path(word, folder)
        return False

    def _is_app_module(self, name: str) -> bool:
        parts = name.split(".")
        if not name or not all(part.isidentifier() for part in parts):
            return False
        for base in _module_bases(Path(self.rootdir), parts[0]):
            candidate = base.joinpath(*parts)
            for file in (candidate.with_suffix(".py"), candidate / "__main__.py", candidate / "__init__.py"):
                if file.is_file():
                    return self.is_app_file(str(file))
        return False

    def _is_app_path(self, program: str, folder: str) -> bool:
        if os.sep not in program and not (os.altsep and os.altsep in program):
            return False
        path = os.path.realpath(os.path.join(folder, program))
        return os.path.isfile(path) and self.is_app_file(path)


def _argv(args: Any, shell: bool) -> list[str]:
    try:
        if isinstance(args, str | bytes | os.PathLike):
            words = [os.fsdecode(args)]  # without a shell, POSIX runs the whole string as the program
        else:
            words = [os.fsdecode(word) for word in args]
        if shell and words:
            return shlex.split(words[0])  # the shell reads the first item as a command line
        return words
    except (TypeError, ValueError):
        return []


def _imported(code: str) -> list[str]:
    """The modules that code given with `python -c` imports by absolute name."""
    import ast

    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _is_python(program: str) -> bool:
    if _PYTHON.match(os.path.basename(program)):
        return True
    try:
        return os.path.realpath(program) == os.path.realpath(sys.executable)
    except (OSError, ValueError):
        return False


def _module_bases(rootdir: Path, top: str) -> list[Path]:
    """Where a module whose top-level package is `top` may live: the project's src/ and root, and
    where it is installed (found without importing anything)."""
    bases = [rootdir / "src", rootdir]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        origin = Path(spec.origin)
        bases.append(origin.parent.parent if origin.name == "__init__.py" else origin.parent)
    return bases


def _declared_scripts(rootdir: Path) -> set[str]:
    import tomllib

    names: set[str] = set()
    try:
        with open(rootdir / "pyproject.toml", "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        document = {}
    project = document.get("project", {})
    poetry = document.get("tool", {}).get("poetry", {})
    for table in (project.get("scripts"), project.get("gui-scripts"), poetry.get("scripts")):
        if isinstance(table, dict):
            names.update(str(name) for name in table)
    setup = configparser.ConfigParser()
    try:
        setup.read(rootdir / "setup.cfg", encoding="utf-8")
        declared = setup.get("options.entry_points", "console_scripts", fallback="")
    except configparser.Error:
        declared = ""
    names.update(line.split("=")[0].strip() for line in declared.splitlines() if "=" in line)
    return names
