"""Re-scaffolding after an edit plans only what changed, and writes exactly what a full run writes.

The run cache settles the features the last run left complete (redphase.cache) and remembers what
indexing each test file found (redphase.project.index). Each round below edits a generated project,
re-scaffolds it with the cache, and re-scaffolds a copy of it with no cache at all: the two trees
must be byte-identical, and the two runs must say the same.
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, make_project, run_cli, snapshot

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_corpus", BENCHMARKS / "generate_corpus.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> dict[str, bytes]:
    return {path: data for path, data in snapshot(root).items() if not path.startswith(".redphase_cache")}


def _project(tmp_path: Path) -> Path:
    generator = _generator()
    root = make_project(tmp_path / "project")
    features = root / "features"
    generator.write_corpus(features / "real", 24, scenarios=5, real_like=True)
    generator.write_corpus(features / "synthetic", 8, scenarios=4)
    official = features / "official"
    official.mkdir()
    for path in sorted((CORPUS / "good").glob("*.feature"))[:20]:
        shutil.copyfile(path, official / path.name)
    return root


def _append_scenario(root: Path) -> None:
    path = sorted((root / "features" / "real").rglob("*.feature"))[3]
    with path.open("a", encoding="utf-8") as handle:
        handle.write(
            "\n  Scenario: One more\n    Given I am on the dashboard\n"
            '    When I open the "audit log" 3 times\n    Then the audit log shows 12 results\n'
        )


def _reword_a_step(root: Path) -> None:
    path = sorted((root / "features" / "real").rglob("*.feature"))[7]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(" results", " matching results", 1), encoding="utf-8")


def _new_feature_first(root: Path) -> None:
    # Sorts before every other feature: its definitions are planned first, and it reuses existing ones.
    source = sorted((root / "features" / "real").rglob("*.feature"))[1].read_text(encoding="utf-8")
    (root / "features" / "aaa_new.feature").write_text(
        source.replace("Feature:", "@new\nFeature:", 1)
        + "\n  Scenario: Brand new\n    Given the admin is on the brand new page\n"
        + "    Then the admin should see 4 brand new things\n",
        encoding="utf-8",
    )


def _delete_a_feature(root: Path) -> None:
    sorted((root / "features" / "synthetic").rglob("*.feature"))[2].unlink()


def _touch_official(root: Path) -> None:
    path = sorted((root / "features" / "official").glob("*.feature"))[5]
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def _edit_a_step_module(root: Path) -> None:
    # A person's edit under tests/: nothing is settled, the index memo still spares unchanged files.
    path = sorted((root / "tests" / "step_defs").glob("*.py"))[4]
    path.write_text(path.read_text(encoding="utf-8") + "\n\n# a person's note\n", encoding="utf-8")
    _append_scenario(root)


def _random_edits(root: Path) -> None:
    rng = random.Random(5)
    paths = sorted((root / "features" / "real").rglob("*.feature"))
    for path in rng.sample(paths, 3):
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text + f"\n  Scenario: Random {rng.randint(0, 999)}\n    Given I am ready\n"
            f"    Then I should see {rng.randint(0, 9)} things\n",
            encoding="utf-8",
        )


EDITS: list[Callable[[Path], None]] = [
    _append_scenario,
    _reword_a_step,
    _new_feature_first,
    _delete_a_feature,
    _touch_official,
    _edit_a_step_module,
    _random_edits,
]


@pytest.mark.parametrize("trusting", [False, True], ids=["stamps-after-settling", "stamps-at-once"])
def test_incremental_rescaffold_writes_what_a_full_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trusting: bool
) -> None:
    if trusting:
        # Every file's stat is trusted as soon as it is taken, so each edit below is seen through
        # its stat alone: a file whose stat changed must be read again.
        import redphase.cache

        monkeypatch.setattr(redphase.cache, "settling_ns", lambda stat: 0)
    root = _project(tmp_path)
    assert run_cli("scaffold", cwd=root).exit_code == 0
    import redphase.pipeline

    settled_sizes: list[int] = []
    original = redphase.pipeline.run

    def spy(*args: Any, **kwargs: Any) -> None:
        settled_sizes.append(len(kwargs.get("settled") or {}))
        original(*args, **kwargs)

    monkeypatch.setattr(redphase.pipeline, "run", spy)
    for round_number, edit in enumerate(EDITS):
        edit(root)
        full = tmp_path / f"full-{round_number}"
        shutil.copytree(root, full, ignore=shutil.ignore_patterns(".redphase_cache"))
        incremental = run_cli("scaffold", cwd=root)
        cacheless = run_cli("scaffold", cwd=full)
        assert incremental.exit_code == cacheless.exit_code, edit.__name__
        assert incremental.output == cacheless.output, edit.__name__
        assert _tree(root) == _tree(full), edit.__name__
    # Every round settled most features, but the one after a person's edit under tests/.
    incremental_sizes = settled_sizes[::2]  # each round ran the incremental run, then the full one
    assert settled_sizes[1::2] == [0] * len(EDITS)
    person = EDITS.index(_edit_a_step_module)
    assert incremental_sizes[person] == 0, incremental_sizes
    assert all(size > 30 for at, size in enumerate(incremental_sizes) if at != person), incremental_sizes


def test_the_index_memo_gives_the_index_a_fresh_read_gives(tmp_path: Path) -> None:
    import json

    from pytest_bdd import parsers

    from redphase.project.index import DeferredParser, index_project

    root = _project(tmp_path)
    assert run_cli("scaffold", cwd=root).exit_code == 0
    tests = root / "tests"
    (tests / "conftest.py").write_text(
        (tests / "conftest.py").read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8"
    )

    def shape(step: Any) -> tuple[object, ...]:
        matcher = step.matcher
        if isinstance(matcher, parsers.string):
            parser: tuple[object, ...] = ("string", matcher.name, 0)
        else:
            assert isinstance(matcher, DeferredParser)
            parser = (matcher.kind, matcher.name, matcher.flags)
        return (step.kind, *parser, step.path, step.line, step.shared)

    fresh = index_project(tests, None)
    memo: dict[str, list[Any]] = {}
    first = index_project(tests, None, memo)
    memo = json.loads(json.dumps(memo))
    second = index_project(tests, None, memo)
    for index in (first, second):
        assert index.modules == fresh.modules
        assert index.fixtures == fresh.fixtures
        assert [shape(step) for step in index.steps] == [shape(step) for step in fresh.steps]


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redphase.cache

    monkeypatch.setattr(redphase.cache, "settling_ns", lambda stat: 0)
    root = make_project(tmp_path / "project")
    feature = root / "features" / "count.feature"
    feature.write_text(
        "Feature: Count\n  Scenario: S\n    Given a tally\n    Then it is 3\n", encoding="utf-8"
    )
    assert run_cli("scaffold", cwd=root).exit_code == 0
    read: list[str] = []
    original = redphase.cache._read_digest

    def counted(path: str) -> bytes:
        read.append(path)
        return original(path)

    monkeypatch.setattr(redphase.cache, "_read_digest", counted)
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert read == [], "an unchanged project is answered from the files' stats"
    # Same size, new bytes: the file's change time moves, and that alone makes it read again.
    time.sleep(0.02)
    feature.write_text(feature.read_text(encoding="utf-8").replace("is 3", "is 4"), encoding="utf-8")
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0
    assert str(feature) in read
    assert "it is {int}" in (root / "tests" / "step_defs" / "count_steps.py").read_text(encoding="utf-8")
    assert "nothing changed" not in result.output


def test_a_file_written_just_now_is_not_trusted_by_its_stat(tmp_path: Path) -> None:
    import json
    import os

    import redphase.cache

    root = make_project(tmp_path / "project")
    (root / "features" / "count.feature").write_text(
        "Feature: Count\n  Scenario: S\n    Given a tally\n    Then it is 3\n", encoding="utf-8"
    )
    assert run_cli("scaffold", cwd=root).exit_code == 0
    stamps_file = root / ".redphase_cache" / "stamps.json"
    stamps = json.loads(stamps_file.read_text(encoding="utf-8"))
    written_ns = stamps_file.stat().st_mtime_ns
    # A second change within one tick of the filesystem's clock could keep a stat: a stat is kept
    # only when the file had been unchanged for longer than that when it was taken.
    project = {path: stamp for path, stamp in stamps["files"].items() if path.startswith(str(root))}
    # stamps.json is written after every stat was taken; one coarse clock tick (10 ms) is allowed
    # between the file times and the clock the stats were judged by.
    for path, (_size, mtime_ns, ctime_ns, _inode, _digest) in project.items():
        age_ns = written_ns - max(mtime_ns, ctime_ns)
        assert age_ns + 10_000_000 >= redphase.cache.settling_ns(os.stat(path)), path
    assert stamps["files"], "the installed templates were written long ago: their stats are kept"


def test_a_re_scaffold_reads_each_file_once_the_cache_look_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`redphase scaffold` first looks whether anything changed; after an edit, the run that follows
    takes that look's digests rather than reading the project again."""
    from collections import Counter

    import redphase.cache
    from redphase import launch

    root = _project(tmp_path)
    assert run_cli("scaffold", cwd=root).exit_code == 0
    # No stat is trusted, so every digest the runs need is a read.
    monkeypatch.setattr(redphase.cache, "settling_ns", lambda stat: 10**18)
    _append_scenario(root)
    reads: Counter[str] = Counter()
    original = redphase.cache._read_digest

    def counted(path: str) -> bytes:
        reads[path] += 1
        return original(path)

    monkeypatch.setattr(redphase.cache, "_read_digest", counted)
    assert launch._plain_scaffold_run(str(root)) == 0
    assert "append to tests/test_" in capsys.readouterr().out
    written = {str(path) for path in (root / "tests").rglob("*.py")}
    twice = sorted(path for path, count in reads.items() if count > 1 and path not in written)
    assert reads
    assert twice == []
