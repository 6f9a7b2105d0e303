"""Which stats the run cache trusts: never one a second change within one clock tick could keep."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from redphase import cache

SECOND = 1_000_000_000


def _stat(mtime_ns: int, ctime_ns: int) -> os.stat_result:
    # st_mode, st_ino, st_dev, st_nlink, st_uid, st_gid, st_size and the whole-second times; the
    # nanosecond times are keyword fields.
    fields = [0o100644, 1, 1, 1, 0, 0, 10, mtime_ns // SECOND, mtime_ns // SECOND, ctime_ns // SECOND]
    extra = {"st_mtime_ns": mtime_ns, "st_ctime_ns": ctime_ns, "st_atime_ns": mtime_ns}
    return os.stat_result(fields, extra)


@pytest.mark.parametrize(
    ("mtime_ns", "ctime_ns", "fine"),
    [
        (1_700_000_000 * SECOND + 123_456_789, 1_700_000_000 * SECOND + 223_456_789, True),
        # FAT, ext3, HFS+: whole seconds, so a change a second later may not show.
        (1_700_000_000 * SECOND, 1_700_000_002 * SECOND, False),
        # A time restored by a tool (tar, cp -p) to a whole second says nothing of the clock.
        (1_700_000_000 * SECOND, 1_700_000_000 * SECOND + 5, False),
    ],
)
def test_the_settling_time_follows_what_the_file_times_show_of_the_clock(
    mtime_ns: int, ctime_ns: int, fine: bool
) -> None:
    settling = cache.settling_ns(_stat(mtime_ns, ctime_ns))
    assert settling == (cache._SETTLED_FINE_NS if fine else cache._SETTLED_NS)
    assert settling >= 10 * 10_000_000, "ten times the coarsest tick of a fine filesystem clock"


def _saved(root: Path) -> dict[str, list[object]]:
    document = json.loads((root / cache.CACHE_DIR / "stamps.json").read_text(encoding="utf-8"))
    files: dict[str, list[object]] = document["files"]
    return files


@pytest.mark.parametrize("age_past_settling_ns", [-1, 0])
def test_a_stat_is_kept_only_when_taken_a_settling_time_after_the_last_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, age_past_settling_ns: int
) -> None:
    path = tmp_path / "steps.py"
    path.write_text("x = 1\n", encoding="utf-8")
    stat = os.stat(path)
    changed_ns = max(stat.st_mtime_ns, stat.st_ctime_ns)
    # The stat is taken exactly this long after the change, by a clock the filesystem agrees with.
    monkeypatch.setattr(
        cache, "clock_ns", lambda: changed_ns + cache.settling_ns(stat) + age_past_settling_ns
    )
    monkeypatch.setattr(cache, "filesystem_lag_ns", lambda folder: 0)
    digests = cache.FileDigests(str(tmp_path))
    digest = digests.of(str(path))
    digests.save()
    kept = _saved(tmp_path)
    if age_past_settling_ns < 0:
        assert kept == {}, "a second change within one clock tick could keep this stat"
    else:
        assert kept == {
            str(path): [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, digest.hex()]
        }


def test_a_filesystem_clock_behind_this_machine_s_makes_its_files_younger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "steps.py"
    path.write_text("x = 1\n", encoding="utf-8")
    stat = os.stat(path)
    changed_ns = max(stat.st_mtime_ns, stat.st_ctime_ns)
    # Half a second past settling by this machine's clock; the share's clock is a second behind.
    monkeypatch.setattr(cache, "clock_ns", lambda: changed_ns + cache.settling_ns(stat) + SECOND // 2)
    monkeypatch.setattr(cache, "filesystem_lag_ns", lambda folder: SECOND)
    digests = cache.FileDigests(str(tmp_path))
    digests.of(str(path))
    digests.save()
    assert _saved(tmp_path) == {}


def test_the_lag_of_a_local_filesystem_is_within_a_clock_tick(tmp_path: Path) -> None:
    lag = cache.filesystem_lag_ns(str(tmp_path / "cache"))
    assert abs(lag) < cache._SETTLED_FINE_NS // 2


def test_a_folder_whose_time_cannot_be_read_trusts_no_stat(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    assert cache.filesystem_lag_ns(str(blocker / "cache")) >= 2**62
