"""Which stats the run cache trusts: never one a second change within one clock tick could keep."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from redphase import cache

SECOND = 1_000_000_000


def _stat(mtime_ns: int, ctime_ns: int) -> os.stat_result:
    # st_mode, st_ino, st_dev, st_nlink, st_uid, st_gid, st_size, then the float times, then the
    # nanosecond times (indices 16-18 of the full tuple's hidden fields are not needed here).
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


def test_a_stat_is_kept_only_once_the_file_has_settled(tmp_path: Path) -> None:
    path = tmp_path / "steps.py"
    path.write_text("x = 1\n", encoding="utf-8")
    stat = os.stat(path)
    fresh = cache.FileDigests(str(tmp_path))
    fresh.of(str(path))
    assert str(path) not in fresh._stamps, "a file changed just now may change again unseen"
    time.sleep(cache.settling_ns(stat) / SECOND + 0.05)
    later = cache.FileDigests(str(tmp_path))
    digest = later.of(str(path))
    assert later._stamps[str(path)] == [
        stat.st_size,
        stat.st_mtime_ns,
        stat.st_ctime_ns,
        stat.st_ino,
        digest.hex(),
    ]
