"""Whether a command a step starts in a subprocess runs the project's application.

A step may drive the application as its users do, through its command line:
`subprocess.run(["hello", "--shout"])` or `[sys.executable, "-m", "hello"]`. The application's code
then runs in another process, where no watch sees it. The command counts as the application's when
it names one of these, and the child could find it:
- a console or GUI script that the project declares (see redphase.project.scripts), found on the
  child's PATH or in a virtual environment's scripts folder;
- Python, with `-m` and a module of the application, or with `-c` and code that imports one, either
  importable by the child (from its working folder, its PYTHONPATH, or installed where this
  interpreter finds it, when the child is this interpreter);
- Python with a script file of the application;
- a file of the application by its path: a Python file, or a script whose first line runs Python.
Any other command does not count: what it runs cannot be told from its words. A command that the
shell could not find or run (exit status 127 or 126) is withdrawn once it has ended (see appcode).
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from redphase.project.application import installed_location
from redphase.project.scripts import declared_scripts

_PYTHON = re.compile(r"python(\d+(\.\d+)?)?(\.exe)?$")
# Short interpreter options whose value follows, in the same word or the next.
_WITH_VALUE = set("WX")


class ApplicationCommands:
    def __init__(self, rootdir: str, is_app_file: Callable[[str], bool]) -> None:
        self.rootdir = rootdir
        self.is_app_file = is_app_file
        self._scripts: frozenset[str] | None = None

    def shown(
        self, args: Any, executable: Any = None, cwd: Any = None, shell: bool = False, env: Any = None
    ) -> str:
        """The command as a person would type it, when it runs the application; "" when it does not."""
        argv = _argv(args, shell)
        if not argv:
            return ""
        program = os.fsdecode(executable) if executable is not None and not shell else argv[0]
        folder = os.path.abspath(os.fsdecode(cwd)) if cwd is not None else os.getcwd()
        environment = _environment(env)
        if _is_python(program):
            runs = self._python_runs_application(program, argv[1:], folder, environment)
        else:
            runs = self._program_is_application(program, folder, environment)
        return shlex.join(argv) if runs else ""

    def scripts(self) -> frozenset[str]:
        if self._scripts is None:
            self._scripts = frozenset(script.name for script in declared_scripts(Path(self.rootdir)))
        return self._scripts

    def _python_runs_application(
        self, python: str, options: list[str], folder: str, env: Mapping[str, str]
    ) -> bool:
        position = 0
        while position < len(options):
            word = options[position]
            position += 1
            if word == "-":
                return False  # code on stdin: nothing names what it runs
            if word.startswith("--"):
                position += word == "--check-hash-based-pycs"
                continue
            if not word.startswith("-"):
                path = os.path.realpath(os.path.join(folder, word))
                return os.path.isfile(path) and self.is_app_file(path)
            letters = word[1:]
            for index, letter in enumerate(letters):
                rest = letters[index + 1 :]
                if letter in "mc":
                    value = rest or (options[position] if position < len(options) else "")
                    names = [value] if letter == "m" else _imported(value)
                    return any(self._importable_app_module(name, python, folder, env) for name in names)
                if letter in _WITH_VALUE:
                    position += not rest
                    break
        return False

    def _importable_app_module(self, name: str, python: str, folder: str, env: Mapping[str, str]) -> bool:
        """Whether the child Python could import module `name`, and it is the application's."""
        parts = name.split(".")
        if not name or not all(part.isidentifier() for part in parts):
            return False
        # What `python -m` and `-c` put on sys.path: the working folder, then PYTHONPATH.
        bases = [
            Path(folder),
            *(Path(folder, entry) for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry),
        ]
        if _same_interpreter(python):
            # Where this interpreter finds the package installed (finding it imports nothing).
            bases += [location.parent for location in installed_location(parts[0])]
        for base in bases:
            candidate = base.joinpath(*parts)
            for file in (candidate.with_suffix(".py"), candidate / "__main__.py", candidate / "__init__.py"):
                if file.is_file():
                    return self.is_app_file(str(file.resolve()))
        return False

    def _program_is_application(self, program: str, folder: str, env: Mapping[str, str]) -> bool:
        if os.sep not in program and not (os.altsep and os.altsep in program):
            # A name the child looks up on its PATH: one of the project's scripts, if it is there.
            return program in self.scripts() and shutil.which(program, path=env.get("PATH")) is not None
        path = os.path.realpath(os.path.join(folder, program))
        if not os.path.isfile(path):
            return False
        if path.startswith(self.rootdir + os.sep) and _runs_python(path):
            return self.is_app_file(path)
        # A script an install made, in a virtual environment's (or this interpreter's) scripts folder.
        return os.path.basename(path) in self.scripts() and _in_scripts_folder(path)


def _argv(args: Any, shell: bool) -> list[str]:
    """The words of a Popen command; [] for anything but a string, bytes, a path, a list or a tuple:
    a generator would be used up here, before Popen reads it."""
    try:
        if isinstance(args, str | bytes | os.PathLike):
            words = [os.fsdecode(args)]  # without a shell, POSIX runs the whole string as the program
        elif isinstance(args, list | tuple):
            words = [os.fsdecode(word) for word in args]
        else:
            return []
        if shell and words:
            return shlex.split(words[0])  # the shell reads the first item as a command line
        return words
    except (TypeError, ValueError):
        return []


def _environment(env: Any) -> Mapping[str, str]:
    if env is None:
        return os.environ
    if isinstance(env, Mapping):
        return {str(os.fsdecode(key)): str(os.fsdecode(value)) for key, value in env.items()}
    return {}


def _imported(code: str) -> list[str]:
    """The modules that code given with `python -c` imports by absolute name."""
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
    return bool(_PYTHON.match(os.path.basename(program))) or _same_interpreter(program)


def _same_interpreter(program: str) -> bool:
    try:
        found = shutil.which(program) or program
        return os.path.realpath(found) == os.path.realpath(sys.executable)
    except (OSError, ValueError):
        return False


def _runs_python(path: str) -> bool:
    if path.endswith(".py"):
        return True
    try:
        with open(path, "rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def _in_scripts_folder(path: str) -> bool:
    import sysconfig

    folder = os.path.dirname(path)
    return os.path.isfile(os.path.join(os.path.dirname(folder), "pyvenv.cfg")) or folder == os.path.realpath(
        sysconfig.get_path("scripts")
    )
