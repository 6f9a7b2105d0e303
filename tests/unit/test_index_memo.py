"""The test index's memo keeps small changes in index-recent.json and reads back exactly what was stored."""

from __future__ import annotations

import json
from pathlib import Path

from redphase import cache
from redphase.config import Config, load_config
from tests.conftest import make_project


def _entry(number: int) -> list[object]:
    return [f"digest-{number}", {"names": [f"name_{number}"]}]


def _stored(config: Config, files: dict[str, list[object]]) -> None:
    memo = cache.IndexMemo.empty()
    memo.files.update(files)
    memo.store(config)


def test_a_small_change_is_written_beside_the_whole_and_read_back(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path / "p"))
    _stored(config, {f"m{number}.py": _entry(number) for number in range(40)})
    whole = (config.root / cache.CACHE_DIR / "index.json").read_bytes()
    memo = cache.load_index(config)
    memo.files["m3.py"] = _entry(1003)
    memo.files["new.py"] = _entry(2000)
    del memo.files["m7.py"]
    memo.store(config)
    assert (config.root / cache.CACHE_DIR / "index.json").read_bytes() == whole
    again = cache.load_index(config).files
    expected = {f"m{number}.py": _entry(number) for number in range(40) if number != 7}
    expected |= {"m3.py": _entry(1003), "new.py": _entry(2000)}
    assert again == expected


def test_changes_past_a_tenth_rewrite_the_whole(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path / "p"))
    _stored(config, {f"m{number}.py": _entry(number) for number in range(20)})
    memo = cache.load_index(config)
    for number in range(5):
        memo.files[f"m{number}.py"] = _entry(100 + number)
    memo.store(config)
    whole = json.loads((config.root / cache.CACHE_DIR / "index.json").read_text())
    assert whole["files"]["m0.py"] == _entry(100)
    recent = json.loads((config.root / cache.CACHE_DIR / "index-recent.json").read_text())
    assert (recent["changed"], recent["gone"], recent["amends"]) == ({}, [], whole["label"])
    assert cache.load_index(config).files["m4.py"] == _entry(104)


def test_changes_that_amend_another_whole_are_ignored(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path / "p"))
    _stored(config, {f"m{number}.py": _entry(number) for number in range(40)})
    memo = cache.load_index(config)
    memo.files["m1.py"] = _entry(999)
    memo.store(config)
    recent_path = config.root / cache.CACHE_DIR / "index-recent.json"
    recent = recent_path.read_text()
    _stored(config, {f"m{number}.py": _entry(number) for number in range(40)})  # a new whole
    recent_path.write_text(recent)  # the earlier run's changes, left behind
    assert cache.load_index(config).files["m1.py"] == _entry(1)
