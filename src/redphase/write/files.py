"""The write policy: create, identical, append or conflict; atomic replaces; nothing outside the project."""

from __future__ import annotations

import contextlib
import difflib
import itertools
import os
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
    """`chunk` after the person's text, which stays byte for byte as it was."""
    if not old.strip():
        return chunk
    separator = "" if old.endswith("\n") else "\n"
    return old + separator + "\n\n" + chunk.lstrip("\n")


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
    with ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="redphase-sync") as pool:
        list(pool.map(sync, paths))
