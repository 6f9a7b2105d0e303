"""Progress: one line on a terminal, nothing elsewhere, no escape sequence under NO_COLOR."""

from __future__ import annotations

import io

import pytest

from redphase.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "REDPHASE_PROGRESS", "TERM"):
        monkeypatch.delenv(name, raising=False)


def _run(stream: io.StringIO, total: int = 3) -> str:
    progress = Progress("scaffold", total, "features", stream)
    for _ in range(total):
        progress.advance()
    progress.close()
    return stream.getvalue()


def test_a_terminal_sees_the_count_and_the_line_is_taken_away() -> None:
    text = _run(_Terminal())
    assert "scaffold: 3/3 features" in text
    assert text.endswith("\r")
    assert "\x1b[K" in text


def test_not_a_terminal_sees_nothing() -> None:
    assert _run(io.StringIO()) == ""


def test_no_color_means_no_escape_sequence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    text = _run(_Terminal())
    assert "scaffold: 3/3 features" in text
    assert "\x1b" not in text


@pytest.mark.parametrize(("name", "value"), [("REDPHASE_PROGRESS", "0"), ("TERM", "dumb")])
def test_it_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    assert _run(_Terminal()) == ""


def test_a_single_feature_needs_no_progress() -> None:
    assert _run(_Terminal(), total=1) == ""
