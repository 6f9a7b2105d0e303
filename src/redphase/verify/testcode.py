"""Which test functions ran during a scenario, and their normalised fingerprints.

Recording is cheap: on Python 3.12+ a `sys.monitoring` PY_START callback sees each code object once
per test (it returns DISABLE, and events are restarted when the next test starts); on 3.11 a
profile hook (shared with the application-code watch) looks at call events only. Only files that
are the project's test code count: the tests folders, conftest.py, test modules and step-definition
modules under the rootdir.

A function is named `path::qualname` (path relative to the rootdir). Two functions with the same
qualname in one file (pytest-bdd step functions are often all called `_`) are told apart by their
first decorator, then by their order. Its fingerprint is the sha256 of `ast.dump` of the function
with docstrings removed and its local variables renamed canonically: formatting, comments,
docstrings and local names do not count; anything the code does does.
"""

from __future__ import annotations

import ast
import hashlib
import os
import sys
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from redphase.frozen import frozen
from redphase.verify.appcode import ApplicationCode, profile_hub


@frozen
class FunctionSource:
    key: str
    first_line: int  # the first decorator's line, as code objects number it
    sha256: str
    source: str  # docstrings removed, unparsed: what a diff shows
    # The module-level values of its own file that it reads (`TOLERANCE = 0`), by name: what they
    # are decides what the function does as much as its own text.
    reads: tuple[str, ...] = ()


def _strip_docstrings(node: ast.AST) -> None:
    for child in ast.walk(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            body = child.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                child.body = body[1:] or [ast.Pass()]


def _declared_and_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[set[str], set[str]]:
    """The names a function declares `global` or `nonlocal`, and its parameters' names."""
    declared: set[str] = set()
    for child in ast.walk(function):
        if isinstance(child, (ast.Global, ast.Nonlocal)):
            declared.update(child.names)
    return declared, {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}


def _rename_locals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """Local variables get canonical names, in the order they first appear; parameters keep theirs
    (pytest passes fixtures and step arguments by name)."""
    declared, parameters = _declared_and_parameters(function)
    stored: list[str] = []
    for child in ast.walk(function):
        name = ""
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            name = child.id
        elif isinstance(child, ast.ExceptHandler) and child.name:
            name = child.name
        if name and name not in declared and name not in parameters and name not in stored:
            stored.append(name)
    mapping = {name: f"_local{index}" for index, name in enumerate(stored)}
    for child in ast.walk(function):
        if isinstance(child, ast.Name) and child.id in mapping:
            child.id = mapping[child.id]
        elif isinstance(child, ast.ExceptHandler) and child.name in mapping:
            child.name = mapping[child.name]


def normalise(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str]:
    """(sha256 of the normalised function, its source without docstrings)."""
    import copy

    shown = copy.deepcopy(node)
    _strip_docstrings(shown)
    source = ast.unparse(shown)
    canonical = copy.deepcopy(shown)
    _rename_locals(canonical)
    digest = hashlib.sha256(_dump(canonical).encode("utf-8")).hexdigest()
    return digest, source


def _dump(node: object) -> str:
    """`ast.dump` without the fields that are empty or None: the same function gives the same text
    on every Python version (3.12 added `type_params`, empty unless the code uses them)."""
    if isinstance(node, ast.AST):
        fields = []
        for name in node._fields:
            value = getattr(node, name, None)
            if value is None or value == []:
                continue
            fields.append(f"{name}={_dump(value)}")
        return f"{type(node).__name__}({', '.join(fields)})"
    if isinstance(node, list):
        return "[" + ", ".join(_dump(item) for item in node) + "]"
    return repr(node)


def _parsed(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, ValueError):
        return None


def _keyed_functions(
    tree: ast.Module, relative: str
) -> list[tuple[str, int, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method in one file: (key, first line, node)."""
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + statement.name
                found.append((qualname, statement))
                visit(statement.body, qualname + ".<locals>.")
            elif isinstance(statement, ast.ClassDef):
                visit(statement.body, prefix + statement.name + ".")
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(statement, field, None)
                    if isinstance(inner, list):
                        visit([s for s in inner if isinstance(s, ast.stmt)], prefix)
                        for handler in inner:
                            if isinstance(handler, ast.ExceptHandler):
                                visit(handler.body, prefix)

    visit(tree.body, "")
    counts: dict[str, int] = {}
    for qualname, _ in found:
        counts[qualname] = counts.get(qualname, 0) + 1
    keyed: list[tuple[str, int, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    taken: set[str] = set()
    for qualname, node in found:
        key = f"{relative}::{qualname}"
        if counts[qualname] > 1 and node.decorator_list:
            key += f"[{ast.unparse(node.decorator_list[0])}]"
        if key in taken:
            number = 2
            while f"{key}#{number}" in taken:
                number += 1
            key = f"{key}#{number}"
        taken.add(key)
        first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        keyed.append((key, first, node))
    return keyed


def code_identity(relative: str, qualname: str, first_line: int) -> str:
    """A function as it ran: its file, qualname and first line, all that the code object says.

    Where tests run, each function is recorded by this, not by its key: naming it by key takes the
    file's syntax tree, and every xdist worker parsed every test file for it again. Where reports
    arrive, `resolve_key` names it once the lock needs it, from the tree fingerprinting reads anyway.
    """
    return f"{relative}::{qualname}@{first_line}"


def resolve_key(identity: str, first_lines: dict[str, int]) -> str | None:
    """The key of the function `code_identity` named, given each key of its file with its first line."""
    place, _, line = identity.rpartition("@")
    relative, _, qualname = place.partition("::")
    candidates = [
        (key, first)
        for key, first in first_lines.items()
        if key == f"{relative}::{qualname}"
        or key.startswith(f"{relative}::{qualname}[")
        or key.startswith(f"{relative}::{qualname}#")
    ]
    if len(candidates) == 1:
        return candidates[0][0]
    for key, first in candidates:
        if str(first) == line:
            return key
    return None


@frozen
class ValueSource:
    """The statements at a module's top level that bind one name to a value."""

    key: str  # path::NAME
    sha256: str
    source: str


def function_index(path: Path, relative: str) -> dict[str, FunctionSource]:
    """Every function and method in one file, by key. Empty when the file is gone or invalid."""
    return file_index(path, relative)[0]


def file_index(path: Path, relative: str) -> tuple[dict[str, FunctionSource], dict[str, ValueSource]]:
    """Every function and method in one file, by key, and every name the file binds to a value at
    its top level, by `path::NAME`: both from one parse. Empty when the file is gone or invalid."""
    tree = _parsed(path)
    if tree is None:
        return {}, {}
    bindings = _module_values(tree)
    functions: dict[str, FunctionSource] = {}
    for key, first, node in _keyed_functions(tree, relative):
        digest, source = normalise(node)
        functions[key] = FunctionSource(
            key, first, digest, source, tuple(sorted(_free_names(node) & set(bindings)))
        )
    values: dict[str, ValueSource] = {}
    for name, statements in bindings.items():
        text = "\n".join(ast.unparse(statement) for statement in statements)
        key = f"{relative}::{name}"
        values[key] = ValueSource(key, hashlib.sha256(text.encode("utf-8")).hexdigest(), text)
    return functions, values


def _module_values(tree: ast.Module) -> dict[str, list[ast.stmt]]:
    """Each name an assignment binds at the module's top level (inside `if` and `try` too), with
    the statements that bind it; functions, classes and imports are not values."""
    values: dict[str, list[ast.stmt]] = {}

    def visit(body: list[ast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                for target in targets:
                    for node in ast.walk(target):
                        if isinstance(node, ast.Name):
                            values.setdefault(node.id, []).append(statement)
            elif isinstance(statement, ast.If | ast.Try | ast.With):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(statement, field, []))
                for handler in getattr(statement, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return values


def _free_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The names a function reads that it neither takes nor binds itself."""
    declared, bound = _declared_and_parameters(function)
    loaded: set[str] = set()
    for child in ast.walk(function):
        if isinstance(child, ast.Name):
            if isinstance(child.ctx, ast.Load):
                loaded.add(child.id)
            elif child.id not in declared:
                bound.add(child.id)
    return loaded - bound


class TestCode:
    """Decides, once per file, whether it is the project's test code."""

    def __init__(self, app: ApplicationCode) -> None:
        self.app = app
        self.rootdir = app.rootdir
        self._cache: dict[str, str | None] = {}
        self._identities: dict[CodeType, str | None] = {}

    def relative(self, filename: str) -> str | None:
        """The file's path relative to the rootdir when it is test code, else None."""
        if filename in self._cache:
            return self._cache[filename]
        known = self._cache[filename] = self._decide(filename)
        return known

    def _decide(self, filename: str) -> str | None:
        if filename.startswith("<") or not filename.endswith(".py"):
            return None
        path = os.path.abspath(filename)
        if not path.startswith(self.rootdir + os.sep) or path.startswith(self.app._prefixes):
            return None
        parts = path[len(self.rootdir) + 1 :].split(os.sep)
        if any(part.startswith(".") or part in ("site-packages", "dist-packages") for part in parts[:-1]):
            return None
        if self.app(filename):
            return None
        import fnmatch

        name = parts[-1]
        is_test = (
            path.startswith(self.app.test_dirs)
            or name == "conftest.py"
            or any(fnmatch.fnmatch(name, pattern) for pattern in self.app.test_file_patterns)
            or _mentions_pytest(path)
        )
        return "/".join(parts) if is_test else None

    def identity(self, code: CodeType) -> str | None:
        """The `code_identity` of the function whose code this is, when it is test code."""
        try:
            return self._identities[code]
        except KeyError:
            known = self._identities[code] = self._identity(code)
            return known

    def _identity(self, code: CodeType) -> str | None:
        relative = self.relative(code.co_filename)
        if relative is None:
            return None
        qualname = code.co_qualname
        if qualname.rsplit(".", 1)[-1].startswith("<"):
            return None  # a lambda, comprehension or module body: part of what encloses it
        return code_identity(relative, qualname, code.co_firstlineno)


def _mentions_pytest(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return False
    return "pytest_bdd" in text or "import pytest" in text


class TestCodeWatch:
    """Records the test functions that run from a test's setup to the end of its call, each by its
    `code_identity`."""

    def __init__(self, test_code: TestCode) -> None:
        self.test_code = test_code
        self.keys: list[str] = []
        self._seen_keys: set[str] = set()
        self._seen: set[CodeType] = set()
        self._active = False
        self._depth = 0
        self._in_test = False
        self._monitoring = sys.version_info >= (3, 12)
        self._tool: int | None = None
        # What ran while each fixture was set up: a cached fixture still counts in later tests.
        self.by_fixture: dict[int, list[str]] = {}

    def begin(self) -> None:
        """A test starts: nothing seen yet. Recording is on only while `resume`d: while a fixture
        function runs, and during the test's call (pytest's own setup machinery is not watched)."""
        self.keys, self._seen_keys, self._seen = [], set(), set()
        self._depth = 0
        self._in_test = True
        if self._monitoring:
            monitoring: Any = getattr(sys, "monitoring")  # noqa: B009 - absent on 3.11
            monitoring.restart_events()  # code disabled in the last test is seen again in this one

    def resume(self) -> None:
        if not self._in_test:
            return
        self._depth += 1
        if self._depth == 1:
            self._switch(True)

    def pause(self) -> None:
        if self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 0:
            self._switch(False)

    def end(self) -> list[str]:
        if self._depth:
            self._depth = 0
            self._switch(False)
        self._in_test = False
        return sorted(self._seen_keys)

    def _switch(self, on: bool) -> None:
        self._active = on
        if self._monitoring:
            if on:
                self._start_monitoring()
            elif self._tool is not None:
                monitoring: Any = getattr(sys, "monitoring")  # noqa: B009
                monitoring.set_events(self._tool, 0)
        elif on:
            profile_hub().add(self._profile)
        else:
            profile_hub().remove(self._profile)

    def add(self, keys: list[str]) -> None:
        for key in keys:
            if key not in self._seen_keys:
                self._seen_keys.add(key)
                self.keys.append(key)

    def mark(self) -> int:
        return len(self.keys)

    def since(self, mark: int) -> list[str]:
        return self.keys[mark:]

    def _see(self, code: CodeType) -> None:
        self._seen.add(code)
        key = self.test_code.identity(code)
        if key is not None and key not in self._seen_keys:
            self._seen_keys.add(key)
            self.keys.append(key)

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            if code not in self._seen:
                self._see(code)

    def _start_monitoring(self) -> None:
        monitoring: Any = getattr(sys, "monitoring")  # noqa: B009 - absent on 3.11
        if self._tool is None:
            for tool in (3, 4, 5):
                if monitoring.get_tool(tool) is None:
                    monitoring.use_tool_id(tool, "redphase-tests")
                    self._tool = tool
                    break
            else:
                self._monitoring = False
                profile_hub().add(self._profile)
                return
            monitoring.register_callback(self._tool, monitoring.events.PY_START, self._on_start)
        monitoring.set_events(self._tool, monitoring.events.PY_START)

    def _on_start(self, code: CodeType, offset: int) -> Any:
        monitoring: Any = getattr(sys, "monitoring")  # noqa: B009
        if code not in self._seen:
            self._see(code)
        return monitoring.DISABLE

    def close(self) -> None:
        self.end()
        if self._monitoring and self._tool is not None:
            monitoring: Any = getattr(sys, "monitoring")  # noqa: B009
            monitoring.register_callback(self._tool, monitoring.events.PY_START, None)
            monitoring.free_tool_id(self._tool)
            self._tool = None
