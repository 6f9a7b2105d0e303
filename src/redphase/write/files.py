"""The write policy: create, identical, append or conflict; atomic replaces; nothing outside the project."""

from __future__ import annotations

import ast
import contextlib
import itertools
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from redphase.frozen import frozen

Action = Literal["create", "append", "update", "identical"]


class OutsideProject(Exception):
    pass


@frozen
class Change:
    path: Path
    action: Action
    old: str
    new: str

    def diff(self, root: Path) -> str:
        name = self.path.relative_to(root).as_posix() if self.path.is_relative_to(root) else str(self.path)
        import difflib  # only --diff shows one

        lines = difflib.unified_diff(
            self.old.splitlines(keepends=True),
            self.new.splitlines(keepends=True),
            fromfile=f"a/{name}" if self.action != "create" else "/dev/null",
            tofile=f"b/{name}",
        )
        return "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
        )


class PathGuard:
    """Paths made absolute, refusing any that resolves (through `..` or symlinks) outside the root.

    Each folder is resolved once, each file checked for a symlink.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._folders: dict[Path, Path] = {}

    def inside(self, path: Path) -> Path:
        absolute = path if path.is_absolute() else self.root / path
        folder = self._folders.get(absolute.parent)
        if folder is None:
            folder = self._folders[absolute.parent] = absolute.parent.resolve()
        resolved = folder / absolute.name
        if absolute.name in ("", ".", "..") or resolved.is_symlink():
            resolved = absolute.resolve()
        if not resolved.is_relative_to(self.root):
            raise OutsideProject(f"{path} resolves to {resolved}, outside the project {self.root}")
        return resolved


def read_text(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def plan_change(path: Path, new: str, old: str | None) -> Change:
    if old is None:
        return Change(path, "create", "", new)
    if old == new:
        return Change(path, "identical", old, new)
    action: Action = "append" if new.startswith(old) else "update"
    return Change(path, action, old, new)


def appended(old: str, chunk: str) -> str:
    """`chunk` after the person's text, which keeps every line it had, in order.

    The imports the chunk opens with join the person's own at the top, so that no import comes
    after code (pycodestyle's E402): names from a module the person already imports from on one
    plain line join that line, as isort would merge them (the one change to a line of theirs); the
    other imports go right after their last one. The rest of the chunk goes at the end. A text that
    does not parse, or that has no import to follow, gets the whole chunk at the end.
    """
    if not old.strip():
        return chunk
    imports, rest = _leading_imports(chunk)
    after = _last_leading_import_line(old) if imports else None
    if after is not None and not any(line.startswith("from __future__") for line in imports):
        lines = old.splitlines(keepends=True)
        head = lines[:after]
        imports = _merged_into(head, imports)
        lines[:after] = head
        if not lines[after - 1].endswith("\n"):
            lines[after - 1] += "\n"
        imports = _placed_in_sections(lines, after, imports)
        after = _last_leading_import_line("".join(lines)) or after
        if imports:
            # A blank line first: black wants one between an import and an `if TYPE_CHECKING:` block.
            lines[after:after] = ["\n", *(line + "\n" for line in imports)]
        old, chunk = "".join(lines), rest
        if not chunk.strip():
            return old
    separator = "" if old.endswith("\n") else "\n"
    return old + separator + "\n\n" + chunk.lstrip("\n")


_FROM_IMPORT = re.compile(r"from ([\w.]+) import (\w+(?:, \w+)*)")


def _merged_into(head: list[str], imports: list[str]) -> list[str]:
    """The chunk's import lines that are left once those from a module the person's head already
    imports from, on one plain line, have joined that line (sorted as isort sorts names: constants,
    classes, then the rest). isort would merge them anyway; two lines from one module are unsorted."""
    left = []
    for line in imports:
        ours = _FROM_IMPORT.fullmatch(line)
        theirs = [
            (number, match)
            for number in _import_rows(head)
            if ours
            and (match := _FROM_IMPORT.fullmatch(head[number].rstrip("\n")))
            and match.group(1) == ours.group(1)
        ]
        if ours is None or len(theirs) != 1:
            left.append(line)
            continue
        number, match = theirs[0]
        names = sorted({*match.group(2).split(", "), *ours.group(2).split(", ")}, key=_isort_name)
        merged = f"from {match.group(1)} import {', '.join(names)}"
        if len(merged) > 88:  # black would wrap it: the chunk's own line stays instead
            left.append(line)
            continue
        head[number] = merged + "\n"
    while left and not left[-1].strip():
        left.pop()
    return left if any(line.strip() for line in left) else []


_PLAIN_IMPORT = re.compile(r"(?:import ([\w.]+)(?:, [\w.]+)*|from ([\w.]+) import [\w, ]+)")


def _import_key(line: str) -> tuple[int, int, str] | None:
    """isort's order of a one-line import: its section (the future, the standard library, the
    rest), `import` before `from`, then the module; None for anything else."""
    import sys

    match = _PLAIN_IMPORT.fullmatch(line.rstrip("\n"))
    if match is None:
        return None
    module = match.group(1) or match.group(2)
    top = module.split(".")[0]
    section = 0 if top == "__future__" else 1 if top in sys.stdlib_module_names else 2
    return section, 0 if match.group(1) else 1, module.lower()


def _placed_in_sections(lines: list[str], after: int, imports: list[str]) -> list[str]:
    """Put each of the chunk's one-line imports where isort would among the person's one-line
    imports (in `lines[:after]`): in its section, in order, or as a section of its own between
    theirs. What is not a one-line import is returned, to follow their imports."""
    left = []
    for line in imports:
        key = _import_key(line)
        theirs = [(number, k) for number in _import_rows(lines[:after]) if (k := _import_key(lines[number]))]
        if key is None or not theirs:
            left.append(line)
            continue
        same = [number for number, k in theirs if k[0] == key[0]]
        later = [number for number, k in theirs if k > key]
        if same:
            at = next((number for number in later if number in same), same[-1] + 1)
            lines.insert(at, line + "\n")
            after += 1
        elif later:  # a section of its own, before the first later one
            lines[later[0] : later[0]] = [line + "\n", "\n"]
            after += 2
        else:  # a section of its own, after every one of theirs
            at = theirs[-1][0] + 1
            lines[at:at] = ["\n", line + "\n"]
            after += 2
    return [line for line in left if line.strip()]


def _isort_name(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def _leading_imports(chunk: str) -> tuple[list[str], str]:
    """The lines of the chunk's opening imports (type-checking-only ones included, the blank lines
    between its groups kept), and the rest."""
    try:
        body = ast.parse(chunk).body
    except SyntaxError:
        return [], chunk
    end = 0
    for statement in body:
        if not _is_import(statement):
            break
        end = statement.end_lineno or end
    lines = chunk.splitlines()
    return lines[:end], "\n".join(lines[end:]) + "\n"


def _import_rows(lines: list[str]) -> list[int]:
    """The rows (from 0) of the one-line import statements the text opens with: only lines that
    are imports to Python, never a docstring's text that reads like one."""
    return [
        statement.lineno - 1
        for statement in _leading_import_statements("".join(lines))
        if isinstance(statement, ast.Import | ast.ImportFrom) and statement.lineno == statement.end_lineno
    ]


def _last_leading_import_line(text: str) -> int | None:
    """The last line of the imports a module opens with (after its docstring), or None."""
    statements = _leading_import_statements(text)
    return statements[-1].end_lineno if statements else None


def _leading_import_statements(text: str) -> list[ast.stmt]:
    """The import statements a module opens with, after its docstring; none if it does not parse."""
    try:
        body = ast.parse(text).body
    except SyntaxError:
        return []
    statements = []
    for number, statement in enumerate(body):
        docstring = (
            number == 0
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        )
        if docstring:
            continue
        if not _is_import(statement):
            break
        statements.append(statement)
    return statements


def _is_import(statement: object) -> bool:
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return True
    # `if TYPE_CHECKING:` holding only imports is part of an import block.
    return (
        isinstance(statement, ast.If)
        and isinstance(statement.test, ast.Name)
        and statement.test.id == "TYPE_CHECKING"
        and not statement.orelse
        and all(isinstance(inner, ast.Import | ast.ImportFrom) for inner in statement.body)
    )


def write_all(files: Sequence[tuple[Path, str]], root: Path) -> None:
    """Every file written atomically, each path checked to stay inside `root`; all or none put in place."""
    staging = Staging(root)
    targets = [staging.guard.inside(path) for path, _ in files]
    try:
        for target, (_, text) in zip(targets, files, strict=True):
            staging.stage(target, text)
        staging.commit(targets)
    finally:
        staging.discard()


# fsync waits on the disk; a few threads overlap those waits when many files are replaced.
SYNC_THREADS = 4


class Staging:
    """Files written beside their targets as soon as their text is final, put in place by `commit`.

    A large run stages each file while it waits for the parsing child, and renames them all at the
    end, so that a run that fails half-way still writes nothing: `discard` removes every staged file
    and every folder made for one. Each target holds its new text or its old one, never a mix.
    """

    def __init__(self, root: Path) -> None:
        self.guard = PathGuard(root)
        self._staged: dict[Path, str] = {}
        self._replacing: set[Path] = set()
        self._made: list[Path] = []

    def stage(self, target: Path, text: str) -> None:
        """Write `text` beside `target`, a path `guard` has already let through."""
        if not target.parent.is_dir():
            self._make_folders(target.parent)
        self._discard_one(target)
        try:
            mode: int | None = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = None
        descriptor, temporary = _temporary_beside(target)
        self._staged[target] = temporary
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(temporary, mode)
            self._replacing.add(target)

    def commit(self, targets: Sequence[Path]) -> None:
        """Put exactly `targets` in place (each staged before); anything else staged is discarded."""
        # A person's file is replaced only once its new text is on disk: it must survive a crash.
        # A new file needs no such wait; one lost in a crash is written again by the next run.
        _sync([self._staged[target] for target in targets if target in self._replacing])
        for target in targets:
            os.replace(self._staged.pop(target), target)
            self._replacing.discard(target)
        self._made.clear()
        self.discard()

    def discard(self) -> None:
        """Remove whatever is staged and not committed, and the folders made for it."""
        for target in list(self._staged):
            self._discard_one(target)
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made.clear()

    def _discard_one(self, target: Path) -> None:
        temporary = self._staged.pop(target, None)
        self._replacing.discard(target)
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)

    def _make_folders(self, folder: Path) -> None:
        missing = []
        while not folder.is_dir():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            try:
                path.mkdir()
                self._made.append(path)
            except FileExistsError:
                pass  # another run made it meanwhile; it is not ours to remove
            # A folder made just now through a symlink planted meanwhile must not take the write.
            PathGuard(self.guard.root).inside(path)


_TEMPORARY_NAMES = itertools.count()


def _temporary_beside(target: Path) -> tuple[int, str]:
    """A new hidden file next to `target`, made with the permissions a new file gets (umask applies)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    while True:
        name = str(target.parent / f".{target.name}.{os.getpid()}-{next(_TEMPORARY_NAMES)}.tmp")
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue  # left by a run that was killed with the same process id


def _sync(paths: list[str]) -> None:
    def sync(path: str) -> None:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    if len(paths) < 2 * SYNC_THREADS:
        for path in paths:
            sync(path)
        return
    # Imported here, where files are replaced: with logging and queues it is a heavy import.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="redphase-sync") as pool:
        list(pool.map(sync, paths))
