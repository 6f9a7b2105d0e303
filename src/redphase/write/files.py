"""The write policy: create, identical, append or conflict; atomic replaces; nothing outside the project."""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Action = Literal["create", "append", "update", "identical"]


class OutsideProject(Exception):
    pass


@dataclass(frozen=True)
class Change:
    path: Path
    action: Action
    old: str
    new: str

    def diff(self, root: Path) -> str:
        name = self.path.relative_to(root).as_posix() if self.path.is_relative_to(root) else str(self.path)
        lines = difflib.unified_diff(
            self.old.splitlines(keepends=True),
            self.new.splitlines(keepends=True),
            fromfile=f"a/{name}" if self.action != "create" else "/dev/null",
            tofile=f"b/{name}",
        )
        return "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
        )


def ensure_inside(path: Path, root: Path) -> Path:
    """`path` made absolute, refusing anything that resolves (through `..` or symlinks) outside `root`."""
    return PathGuard(root).inside(path)


class PathGuard:
    """ensure_inside for many paths: each folder is resolved once, each file checked for a symlink."""

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
    """`chunk` after the person's text, which stays byte for byte as it was."""
    if not old.strip():
        return chunk
    separator = "" if old.endswith("\n") else "\n"
    return old + separator + "\n\n" + chunk.lstrip("\n")


def write_atomically(path: Path, text: str, root: Path) -> None:
    write_all([(path, text)], root)


# Replacing a person's file waits on the disk (fsync), so a few threads overlap those waits. New
# files are written one after another: creating them is kernel work on one folder, and threads only
# contended for it (measured slower with 4 threads on 500 features).
WRITER_THREADS = 4


def write_all(files: Sequence[tuple[Path, str]], root: Path) -> None:
    """Every file written atomically, each path checked to stay inside `root` before anything is written."""
    guard = PathGuard(root)
    targets = [guard.inside(path) for path, _ in files]
    for folder in sorted({target.parent for target in targets}):
        folder.mkdir(parents=True, exist_ok=True)
        # A folder made just now through a symlink planted meanwhile must not take the write.
        PathGuard(guard.root).inside(folder)
    created: list[tuple[Path, str]] = []
    replaced: list[tuple[Path, str]] = []
    for target, (_, text) in zip(targets, files, strict=True):
        (replaced if target.exists() else created).append((target, text))
    for target, text in created:
        _replace(target, text)
    if len(replaced) < 2 * WRITER_THREADS:
        for target, text in replaced:
            _replace(target, text)
        return
    with ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="redphase-write") as pool:
        list(pool.map(lambda pair: _replace(*pair), replaced))


def _replace(target: Path, text: str) -> None:
    """`target` holds `text` or its old content, never a mix: a temporary file renamed over it."""
    try:
        mode: int | None = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = None
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            # Replacing a person's file must survive a crash: their text goes to disk before the
            # rename. A new file needs no such wait; one lost in a crash is written again next run.
            if mode is not None:
                os.fsync(handle.fileno())
        os.chmod(temporary, 0o644 if mode is None else mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
