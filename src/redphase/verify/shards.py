"""Which tests one shard of `redphase verify --jobs N` collects and runs.

Every shard is a pytest process of its own. Where it can, a shard collects only its share of the
test files, so the collection is split as well as the run (pytest-xdist's workers each collect the
whole suite). Each shard works out the same plan from the same tree:

- every Python file under pytest's arguments (`config.args`: `testpaths`, or the folder pytest
  runs in when none are given) is weighed: its own bytes, and the bytes of the feature files its
  `scenarios("...")` and `scenario("...")` calls name, for a pytest-bdd module's tests come from
  those;
- a file heavier than one share's fair part (a single module binding every feature, as many
  pytest-bdd projects have) is collected by every shard, and its tests are shared out one by one,
  by a checksum of each test's node id, which no reordering plugin changes;
- every other file goes whole to the share holding the least weight so far, heaviest first.

A file the walk did not see (pytest reached it some other way) goes by a checksum of its path.
`conftest.py` and `__init__.py` are collected by every shard, as are files other than Python,
whose tests run in the first shard. A test from a file pytest collected although the shard's walk
would have left it (a file named on pytest's command line) is deselected in every shard but the
file's own. Either way, each test runs in exactly one shard. The weights only balance the shares:
a wrong guess makes one shard slower, never a test run twice or not at all.
"""

from __future__ import annotations

import fnmatch
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from redphase.diagnostics import UsageError
from redphase.frozen import frozen

_SHARED = frozenset({"conftest.py", "__init__.py"})
_NEVER_WALKED = frozenset({"__pycache__", "node_modules", "site-packages"})
_BOUND = re.compile(r"""\bscenarios?\(\s*(?:[rRuU]?)(["'])(.+?)\1""")


@frozen
class Share:
    """The `index`-th (from 1) of `count` shares of the tests."""

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

    def holds(self, key: str) -> bool:
        return zlib.crc32(key.encode("utf-8")) % self.count == self.index - 1


@dataclass
class ShardPlan:
    share: Share
    rootdir: Path
    # file (absolute) -> the share (from 0) it goes to whole
    plan: dict[str, int] = field(default_factory=dict)
    # files whose tests are shared out one by one
    by_test: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        share: Share,
        rootdir: Path,
        args: list[str],
        norecurse: list[str],
        test_files: list[str],
        features_base: str = "",
    ) -> ShardPlan:
        """The plan for the test files (by pytest's `python_files` patterns) under `args`."""
        base = str(rootdir / features_base) if features_base else ""
        tests = [
            path
            for path in _python_files(args, norecurse)
            if any(fnmatch.fnmatch(os.path.basename(path), pattern) for pattern in test_files)
        ]
        weights = {path: _weight(path, base) for path in tests}
        fair = sum(weights.values()) / share.count
        by_test = frozenset(path for path, weight in weights.items() if share.count > 1 and weight > fair)
        load = [0] * share.count
        plan = {}
        for path in sorted(set(weights) - by_test, key=lambda path: (-weights[path], path)):
            lightest = load.index(min(load))
            plan[path] = lightest
            load[lightest] += weights[path]
        return cls(share, rootdir, plan, by_test)

    def ignores(self, path: Path) -> bool:
        """Whether this shard leaves the file at `path` to another one, when collecting."""
        if path.suffix != ".py" or path.name in _SHARED or not path.is_file():
            return False
        key = os.path.abspath(path)
        return key not in self.by_test and not self._owns(key)

    def runs(self, path: Path, nodeid: str) -> bool:
        """Whether this shard runs the test `nodeid`, collected from the file at `path`."""
        if path.suffix != ".py" or path.name in _SHARED:
            return self.share.index == 1
        key = os.path.abspath(path)
        return self.share.holds(nodeid) if key in self.by_test else self._owns(key)

    def _owns(self, key: str) -> bool:
        owner = self.plan.get(key)
        if owner is None:
            return self.share.holds(os.path.relpath(key, self.rootdir).replace(os.sep, "/"))
        return owner == self.share.index - 1


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _weight(path: str, features_base: str) -> int:
    """The file's bytes and those of the feature files it binds (pytest-bdd reads them relative to
    `bdd_features_base_dir`, else to the module's folder); a folder binds every feature under it."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return 1
    weight = max(len(text), 1)
    if "scenario" not in text:
        return weight
    base = features_base or os.path.dirname(path)
    for match in _BOUND.finditer(text):
        bound = os.path.join(base, match.group(2))
        if os.path.isdir(bound):
            weight += sum(
                _size(os.path.join(folder, name))
                for folder, _, names in os.walk(bound)
                for name in names
                if name.endswith(".feature")
            )
        else:
            weight += _size(bound)
    return weight


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
