"""The verify runs every report test reads: each project, serially and under pytest-xdist."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reports.browser import Browser, find_chromium
from tests.reports.runs import PROJECTS, Run, project, verify

MODES = {"serial": (), "xdist": ("-n", "2")}


@pytest.fixture(
    scope="session", params=[(p, m) for p in PROJECTS for m in MODES], ids=lambda pm: "-".join(pm)
)
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    kind, mode = request.param
    return verify(project(kind, tmp_path_factory.mktemp(f"{kind}-{mode}")), *MODES[mode])


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable, reason = find_chromium()
    if executable is None:
        pytest.skip(reason)
    started = Browser(executable)
    try:
        yield started
    finally:
        started.close()
