"""The write policy: create, identical, append or conflict; atomic replaces; nothing outside the project."""

from __future__ import annotations

import difflib
import os
import tempfile
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
    root = root.resolve()
    absolute = path if path.is_absolute() else root / path
    resolved = absolute.resolve()
    if not resolved.is_relative_to(root):
        raise OutsideProject(f"{path} resolves to {resolved}, outside the project {root}")
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
    target = ensure_inside(path, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    ensure_inside(target.parent, root)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
