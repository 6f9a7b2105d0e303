"""A fingerprint of a whole scaffold run, so that re-scaffolding an unchanged project is nearly free.

The key covers everything the output depends on: redphase's version, the versions of black and
ruff installed beside it (they format the output), the templates, the project root, pyproject.toml
(the whole configuration comes from it, the formatter's settings included), the features and tests
folders as written and as they resolve, the feature files given (names and bytes), and every file
under the tests folder (names and bytes), as they are after the run. Any change to any of them misses the
cache.

When only feature files changed since the last run (the key's other part, `base`, is as that run
left it), the features that run left complete and whose bytes are the same are settled: a full run
would neither plan, render nor write anything for them (a run's output is a fixed point: a second run
changes nothing), so only the others are parsed and planned, and the settled ones' scenario counts
and diagnostics are replayed. The cache lives in `.redphase_cache/` at the project root and is safe to delete at any time.

Reading every file's bytes was most of a re-scaffold after one edit. So each file's digest is
recorded with its stat (size, modification and change times, inode) in `stamps.json`, and a file
whose stat is the same next time is not read again, as git's index does. Only a stat taken at
least one settling time after the file last changed is recorded: a file changed again within one
tick of the filesystem's clock could otherwise keep its old stat with new bytes. The settling time
is longer than any tick the file's own times allow: `_SETTLED_NS` when they are whole seconds (FAT,
ext3, HFS+ and a few others keep no finer time), `_SETTLED_FINE_NS` when both have a fraction of a
second, as on ext4, XFS, btrfs, tmpfs, APFS and NTFS, whose ticks are a scheduler tick or Windows'
16 ms at most (exFAT's are 10 ms). An agent that edits a feature and re-scaffolds within seconds of
the last run is then answered from the stats of everything else, not by reading every file again.
A file's age is judged on its filesystem's clock: the time before the stat, less how far that
clock runs behind this machine's (a network share's or a virtual machine's shared folder may),
measured when the stats are saved by setting the cache folder's time.

This module imports nothing heavier than json: `unchanged_run` answers a plain re-scaffold at
start-up, before the configuration, pathlib or click are loaded. It computes the same key from the
folder settings the last run recorded; a pyproject.toml that changed them changes the key anyway.
"""

from __future__ import annotations

import json
import os
import time

from redphase import __version__, installed
from redphase.content_digest import new_digest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from hashlib import blake2b as Digest
    from pathlib import Path

    from redphase.config import Config

CACHE_DIR = ".redphase_cache"
# Longer than any filesystem's timestamp granularity (FAT's is 2 s).
_SETTLED_NS = 3_000_000_000
# Ten times the coarsest tick of a filesystem that keeps fractions of a second.
_SETTLED_FINE_NS = 100_000_000
_SECOND_NS = 1_000_000_000
# This machine's clock, as stats are judged by it (a name of its own, so that a test can set it).
clock_ns = time.time_ns
_SKIPPED = {CACHE_DIR, "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}


class CachedRun:
    __slots__ = ("diagnostics", "features", "scenarios")

    def __init__(self, features: int, scenarios: int, diagnostics: list[str]) -> None:
        self.features = features
        self.scenarios = scenarios
        self.diagnostics = diagnostics


class FileDigests:
    """Each file's content digest for one run: read at most once, and not at all when its stat is
    the one the last run recorded with its digest. The run that owns it forgets what it wrote, so
    that those are read afresh, and records the stats it may trust next time with `save`."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._recorded = _stamps(root)
        self._digests: dict[str, bytes] = {}
        # Each stat taken, with its digest, and how long the file had been unchanged when it was
        # taken (by this machine's clock) less its settling time: `save` keeps those still past it
        # by the filesystem's clock.
        self._stamps: dict[str, tuple[list[object], int]] = {}

    def of(self, path: str) -> bytes:
        digest = self._digests.get(path)
        if digest is not None:
            return digest
        # The time before the stat: a change after it, however soon, is one the stat cannot show,
        # and the file must have been unchanged for a settling time by then for any later change
        # to show as a new stat. Stat first, read after: a change in between shows next time.
        taken_ns = clock_ns()
        try:
            stat = os.stat(path)
        except OSError:
            digest = self._digests[path] = b"<unreadable>"
            return digest
        stamp: list[object] = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        recorded = self._recorded.get(path)
        if recorded is not None and recorded[:4] == stamp and isinstance(recorded[4], str):
            digest = bytes.fromhex(recorded[4])
        else:
            digest = _read_digest(path)
        self._digests[path] = digest
        margin_ns = taken_ns - max(stat.st_mtime_ns, stat.st_ctime_ns) - settling_ns(stat)
        self._stamps[path] = ([*stamp, digest.hex()], margin_ns)
        return digest

    def forget(self, path: str) -> None:
        self._digests.pop(path, None)
        self._stamps.pop(path, None)

    def save(self) -> None:
        from pathlib import Path

        from redphase.write.files import write_all

        folder = os.path.join(self.root, CACHE_DIR)
        # A file's times come from its filesystem's clock, the stat's from this machine's: a
        # network or virtual machine's shared folder may run behind, and its files look older.
        lag_ns = filesystem_lag_ns(folder)
        kept = {path: stamp for path, (stamp, margin_ns) in self._stamps.items() if margin_ns >= lag_ns}
        text = json.dumps({"for": __version__, "files": kept}, separators=(",", ":")) + "\n"
        write_all([(Path(folder, "stamps.json"), text)], Path(self.root))


def filesystem_lag_ns(folder: str) -> int:
    """How far the clock that times the files in `folder` runs behind this machine's (negative when
    ahead): the folder's modification time set to the filesystem's now, against the time before.

    A folder whose time cannot be set, or that is not there, gives a lag no stat outlives."""
    before_ns = clock_ns()
    try:
        os.makedirs(folder, exist_ok=True)
        os.utime(folder)
        now_ns = os.stat(folder).st_mtime_ns
    except OSError:
        return 2**62
    return before_ns - now_ns


def settling_ns(stat: os.stat_result) -> int:
    """How long after its last change a file's stat may be trusted to show the next one.

    A file whose times both have a fraction of a second lives on a filesystem with a fine clock.
    A whole second on both, by chance one in a billion on such a filesystem, is taken as a coarse
    clock: trusting the stat later than need be costs only a read.
    """
    if stat.st_mtime_ns % _SECOND_NS and stat.st_ctime_ns % _SECOND_NS:
        return _SETTLED_FINE_NS
    return _SETTLED_NS


def fingerprint(config: Config, features: Sequence[Path]) -> str:
    return _combined(*fingerprint_parts(config, features))


def fingerprint_parts(
    config: Config, features: Sequence[Path], digests: FileDigests | None = None
) -> tuple[str, dict[str, str]]:
    """The run's fingerprint in parts: everything but the feature files, and each feature file."""
    return _parts(
        str(config.root),
        config.folder_settings,
        config.folders_from_flags,
        (str(config.features), str(config.tests)),
        [os.fspath(path) for path in features],
        digests or FileDigests(str(config.root)),
    )


def combined(base: str, files: dict[str, str]) -> str:
    """The fingerprint made of `fingerprint_parts`."""
    return _combined(base, files)


def unchanged_run(root: str, digests: FileDigests | None = None) -> CachedRun | None:
    """The cached result of `redphase scaffold` with no paths and no flags in `root`, if nothing changed.

    `digests` (for `root`) keeps what the look took of each file, for the run that follows a miss."""
    from redphase.discovery import feature_files

    document = _document(root)
    settings = document.get("folder_settings")
    if document.get("folders_from_flags", True) or not (
        isinstance(settings, list) and len(settings) == 2 and all(isinstance(s, str) for s in settings)
    ):
        return None
    features, tests = (os.path.realpath(os.path.join(root, setting)) for setting in settings)
    if not os.path.isdir(features):
        return None
    key = _combined(
        *_parts(
            root,
            (settings[0], settings[1]),
            False,
            (features, tests),
            feature_files(features),
            digests or FileDigests(root),
        )
    )
    return _run(document) if document.get("fingerprint") == key else None


def exists(config: Config) -> bool:
    return os.path.isfile(_cache_file(str(config.root)))


def load(config: Config, key: str) -> CachedRun | None:
    document = _document(str(config.root))
    return _run(document) if document.get("fingerprint") == key else None


def store(
    config: Config,
    key: str,
    run: CachedRun,
    base: str = "",
    settled: dict[str, tuple[str, int, list[list[object]]]] | None = None,
) -> None:
    """Record a finished run. `settled`, by resolved feature path: (the file's digest, its scenarios,
    its diagnostics as [path, line, column, message, severity, fix]) for each feature the run left
    complete; with `base`, the digest of everything but the feature files as the run left it.
    """
    from redphase.write.files import write_all

    folder = config.root / CACHE_DIR
    files = []
    if not (folder / ".gitignore").exists():
        files.append((folder / ".gitignore", "# Created by redphase: a cache that is safe to delete.\n*\n"))
    document = {
        "fingerprint": key,
        "folder_settings": list(config.folder_settings),
        "folders_from_flags": config.folders_from_flags,
        "features": run.features,
        "scenarios": run.scenarios,
        "diagnostics": run.diagnostics,
        "base": base,
        "settled": settled or {},
    }
    files.append((folder / "scaffold.json", json.dumps(document, indent=1) + "\n"))
    write_all(files, config.root)


class IndexMemo:
    """The test index's memo (see redphase.project.index.index_project) as the last run left it.

    A re-scaffold after one edit changes the entries of the few modules it wrote, in a memo that
    holds every module's: rewriting all of index.json each time was a tenth of such a run. So what
    changed goes to a small file beside it, index-recent.json, tied to the index.json it amends;
    the whole is rewritten only when the changes outgrow a tenth of it.
    """

    def __init__(self, whole: dict[str, list[object]], label: str, recent: dict[str, object]) -> None:
        self._whole = whole
        self._label = label
        self.files = dict(whole)
        changed = recent.get("changed")
        gone = recent.get("gone")
        if recent.get("amends") == label and isinstance(changed, dict) and isinstance(gone, list):
            self.files.update(_entries(changed))
            for path in gone:
                self.files.pop(str(path), None)

    @classmethod
    def empty(cls) -> IndexMemo:
        return cls({}, "", {})

    def store(self, config: Config) -> None:
        from redphase.write.files import write_all

        owner = _index_owner(config)
        folder = config.root / CACHE_DIR
        changed = {
            path: entry
            for path, entry in self.files.items()
            if (old := self._whole.get(path)) is not entry and old != entry
        }
        gone = [path for path in self._whole if path not in self.files]
        if self._label and len(changed) + len(gone) <= len(self._whole) // 10:
            recent = {"for": owner, "amends": self._label, "changed": changed, "gone": gone}
            write_all([(folder / "index-recent.json", json.dumps(recent) + "\n")], config.root)
            return
        # A new label ties no earlier index-recent.json to this whole, even one a crash left.
        label = os.urandom(8).hex()
        whole = {"for": owner, "label": label, "files": self.files}
        recent = {"for": owner, "amends": label, "changed": {}, "gone": []}
        write_all(
            [
                (folder / "index.json", json.dumps(whole) + "\n"),
                (folder / "index-recent.json", json.dumps(recent) + "\n"),
            ],
            config.root,
        )


def load_index(config: Config) -> IndexMemo:
    """The index memo the last run left, or an empty one."""
    owner = _index_owner(config)
    whole = _owned(os.path.join(str(config.root), CACHE_DIR, "index.json"), owner)
    files = whole.get("files")
    label = whole.get("label")
    if not isinstance(files, dict) or not isinstance(label, str):
        return IndexMemo.empty()
    recent = _owned(os.path.join(str(config.root), CACHE_DIR, "index-recent.json"), owner)
    return IndexMemo(_entries(files), label, recent)


def _owned(path: str, owner: list[str]) -> dict[str, object]:
    """The JSON object in `path` if it was written for `owner`, else an empty one."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("for") != owner:
        return {}
    return document


def _entries(files: dict[str, object]) -> dict[str, list[object]]:
    return {
        str(path): entry
        for path, entry in files.items()
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
    }


def _index_owner(config: Config) -> list[str]:
    """What an index memo is valid for: this redphase, these tests, this features base folder."""
    return [__version__, str(config.tests), str(config.bdd_features_base_dir)]


def settled_features(config: Config, base: str) -> dict[str, tuple[str, int, list[list[object]]]]:
    """The features the last run left complete, if nothing but feature files changed since it."""
    document = _document(str(config.root))
    settled = document.get("settled")
    if not base or document.get("base") != base or not isinstance(settled, dict):
        return {}
    found = {}
    for path, record in settled.items():
        if (
            isinstance(record, list)
            and len(record) == 3
            and isinstance(record[0], str)
            and isinstance(record[1], int)
            and isinstance(record[2], list)
            and all(isinstance(d, list) and len(d) == 6 for d in record[2])
        ):
            found[str(path)] = (record[0], record[1], record[2])
    return found


def _parts(
    root: str,
    settings: tuple[str, str],
    from_flags: bool,
    folders: tuple[str, str],
    features: Sequence[str],
    digests: FileDigests,
) -> tuple[str, dict[str, str]]:
    """(digest of everything but the feature files, digest of each feature file by path as given)."""
    from redphase.render.templates import templates_folder

    digest = new_digest()
    digest.update(__version__.encode())
    digest.update(repr([installed.version(tool) for tool in installed.FORMATTERS]).encode())
    digest.update(repr((root, settings, from_flags, folders)).encode())
    # pyproject.toml holds the whole configuration; pytest's own settings file decides the default
    # tests folder (its `testpaths`), so each file pytest may read its settings from is in too.
    for name in ("pyproject.toml", "pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg"):
        _add_file(digest, os.path.join(root, name), root, digests)
    scaffold_templates = os.path.join(templates_folder(), "scaffold")
    _add_tree(digest, scaffold_templates, scaffold_templates, digests)
    _add_tree(digest, folders[1], root, digests)
    files = {}
    for path in features:
        one = new_digest()
        _add_file(one, path, root, digests)
        files[path] = one.hexdigest()
    return digest.hexdigest(), files


def _combined(base: str, files: dict[str, str]) -> str:
    digest = new_digest()
    digest.update(base.encode())
    for path in sorted(files):
        digest.update(f"\0{files[path]}".encode())
    return digest.hexdigest()


def _add_tree(digest: Digest, folder: str, root: str, digests: FileDigests) -> None:
    if not os.path.isdir(folder):
        digest.update(b"<no folder>")
        return
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIPPED)
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                _add_file(digest, os.path.join(directory, name), root, digests)


def _add_file(digest: Digest, path: str, root: str, digests: FileDigests) -> None:
    """The file's path (relative to `root`) and its content's own digest."""
    inside = root.rstrip(os.sep) + os.sep
    relative = path[len(inside) :] if path.startswith(inside) else os.path.relpath(path, root)
    digest.update(os.fsencode(relative) + b"\0")
    digest.update(digests.of(path) + b"\0")


def _read_digest(path: str) -> bytes:
    one = new_digest()
    try:
        with open(path, "rb") as handle:
            one.update(handle.read())
    except OSError:
        one.update(b"<unreadable>")
    return one.digest()


def _stamps(root: str) -> dict[str, list[object]]:
    """What the last run recorded of each file: [size, mtime_ns, ctime_ns, inode, digest]."""
    try:
        with open(os.path.join(root, CACHE_DIR, "stamps.json"), encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("for") != __version__:
        return {}
    files = document.get("files")
    if not isinstance(files, dict):
        return {}
    return {path: entry for path, entry in files.items() if isinstance(entry, list) and len(entry) == 5}


def _cache_file(root: str) -> str:
    return os.path.join(root, CACHE_DIR, "scaffold.json")


def _document(root: str) -> dict[str, object]:
    try:
        with open(_cache_file(root), encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _run(document: dict[str, object]) -> CachedRun | None:
    features, scenarios, diagnostics = (document.get(k) for k in ("features", "scenarios", "diagnostics"))
    if not (isinstance(features, int) and isinstance(scenarios, int) and isinstance(diagnostics, list)):
        return None
    return CachedRun(features, scenarios, [str(line) for line in diagnostics])
