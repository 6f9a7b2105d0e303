"""Which test files one shard of `redphase verify --jobs N` collects.

Every shard is a pytest process of its own that collects only its share of the test files, so the
collection is split as well as the run (pytest-xdist's workers each collect the whole suite). Each
shard works out the same plan from the same tree: every Python file under pytest's arguments
(`config.args`, which are `testpaths` or the folder it ran in when none are given), biggest first,
each given to the share holding the fewest bytes so far. A file the walk did not see (pytest reached
it some other way) goes by a checksum of its path. Either way, each file is in exactly one share.

Not split: `conftest.py` and `__init__.py`, which every shard needs, and files other than Python,
which every shard collects. A test from a file that is not split, or from a file that pytest
collected although the shard's walk would have left it (a file named on pytest's command line),
is deselected in every shard but the one its file belongs to, or the first: each test runs once.
"""

from __future__ import annotations

import fnmatch
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from redphase.diagnostics import UsageError

_SHARED = frozenset({"conftest.py", "__init__.py"})
_NEVER_WALKED = frozenset({"__pycache__", "node_modules", "site-packages"})


@dataclass(frozen=True)
class Share:
    """The `index`-th (from 1) of `count` shares of the test files."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Share:
        index, _, count = text.partition("/")
        if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
            raise UsageError(f"--redphase-shard takes K/N with 1 <= K <= N, not {text!r}")
        return cls(int(index), int(count))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass
class ShardPlan:
    share: Share
    rootdir: Path
    plan: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, share: Share, rootdir: Path, args: list[str], norecurse: list[str]) -> ShardPlan:
        files = sorted(_python_files(args, norecurse), key=lambda path: (-_size(path), path))
        load = [0] * share.count
        plan = {}
        for path in files:
            lightest = load.index(min(load))
            plan[path] = lightest
            load[lightest] += max(_size(path), 1)
        return cls(share, rootdir, plan)

    def ignores(self, path: Path) -> bool:
        """Whether this shard leaves the file at `path` to another one, when collecting."""
        if path.suffix != ".py" or path.name in _SHARED or not path.is_file():
            return False
        return not self._owns(path)

    def runs(self, path: Path) -> bool:
        """Whether this shard runs a test from the file at `path`. pytest collects a file named
        on its command line whatever the walk would ignore, and every shard collects the files
        that are not split: each such test runs in the shard its file belongs to, or the first."""
        if path.suffix != ".py" or path.name in _SHARED:
            return self.share.index == 1
        return self._owns(path)

    def _owns(self, path: Path) -> bool:
        key = os.path.abspath(path)
        owner = self.plan.get(key)
        if owner is None:
            relative = os.path.relpath(key, self.rootdir)
            owner = zlib.crc32(relative.replace(os.sep, "/").encode("utf-8")) % self.share.count
        return owner == self.share.index - 1


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _python_files(args: list[str], norecurse: list[str]) -> set[str]:
    found: set[str] = set()
    for arg in args:
        path = os.path.abspath(arg.split("::", 1)[0])
        if os.path.isfile(path):
            if path.endswith(".py") and os.path.basename(path) not in _SHARED:
                found.add(path)
            continue
        for folder, folders, names in os.walk(path):
            folders[:] = [
                name
                for name in folders
                if not _skipped(name, norecurse)
                and not os.path.exists(os.path.join(folder, name, "pyvenv.cfg"))
            ]
            found.update(
                os.path.join(folder, name) for name in names if name.endswith(".py") and name not in _SHARED
            )
    return found


def _skipped(name: str, norecurse: list[str]) -> bool:
    return name.startswith(".") or name in _NEVER_WALKED or any(fnmatch.fnmatch(name, p) for p in norecurse)
