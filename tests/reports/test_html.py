"""`redphase verify --html`: one self-contained page, checked in a real headless Chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import make_project, run_cli
from tests.reports.browser import Browser
from tests.reports.runs import Run, verify

HOSTILE_TEXTS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "{{ 7*7 }}"]
HOSTILE = """\
Feature: Shop <script>alert(1)</script> and "><img src=x onerror=alert(2)> and {{ 7*7 }}
  Scenario: <script>alert(1)</script> pays "><img src=x onerror=alert(2)> {{ 7*7 }}
    Given a cart named "<script>alert(1)</script>"
    When the customer types "\\"><img src=x onerror=alert(2)>" and {{ 7*7 }}
    Then the label is "<script>alert(1)</script>\\"><img src=x onerror=alert(2)>{{ 7*7 }}"

  Scenario: nothing to see {% raw %} <b>bold</b>
    Given a cart named "x"
"""


def _screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: REDPHASE_SCREENSHOTS (a CI build artefact) or the test's folder."""
    return Path(os.environ.get("REDPHASE_SCREENSHOTS") or tmp_path)


@pytest.mark.slow
def test_the_page_loads_nothing_from_anywhere(run: Run) -> None:
    text = run.html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert len(re.findall(r"<script\b", text)) == 1
    assert not re.search(r"<script[^>]*\bsrc=", text)
    assert not re.search(r"<link\b|<iframe\b|<object\b|<embed\b|@import|url\(", text)
    assert not re.search(r"""\b(?:src|href|action)=["']?(?:https?:)?//""", text)
    assert "Content-Security-Policy" in text


@pytest.mark.slow
def test_in_chromium_the_counts_are_the_jsons_and_the_filter_works(
    run: Run, browser: Browser, tmp_path: Path
) -> None:
    browser.open(run.html.as_uri())
    assert browser.errors() == []
    assert browser.dialogs() == []
    counts = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#counts tbody tr')]"
        ".map((row) => [row.dataset.verdict, Number(row.querySelector('.count').textContent)]))"
    )
    assert counts == run.summary
    bars = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#chart .bar')]"
        ".map((bar) => [bar.dataset.verdict, Number(bar.dataset.count)]))"
    )
    assert bars == run.summary
    assert browser.evaluate("document.querySelectorAll('details.scenario').length") == len(run.results)
    assert browser.evaluate("Number(document.getElementById('visible-count').textContent)") == len(
        run.results
    )
    # Bad reds first.
    order = browser.evaluate("[...document.querySelectorAll('section.group')].map((g) => g.className)")
    kinds = [name.split("kind-")[1] for name in order]
    assert kinds == sorted(kinds, key=["bad", "good", "neutral"].index)

    for verdict, count in run.summary.items():
        browser.evaluate(f"document.querySelector('button.filter[data-filter=\"{verdict}\"]').click()")
        shown = browser.evaluate(
            "[...document.querySelectorAll('details.scenario')].filter((d) => !d.hidden).map((d) => d.dataset.verdict)"
        )
        assert shown == [verdict] * count
        assert browser.evaluate("Number(document.getElementById('visible-count').textContent)") == count
    browser.evaluate("document.querySelector('button.filter[data-filter=\"all\"]').click()")
    assert (
        browser.evaluate("[...document.querySelectorAll('details.scenario')].filter((d) => d.hidden).length")
        == 0
    )
    # A filtered link opens filtered.
    verdict = next(iter(run.summary))
    browser.open(run.html.as_uri() + "#verdict=" + verdict)
    assert (
        browser.evaluate("Number(document.getElementById('visible-count').textContent)")
        == run.summary[verdict]
    )
    assert browser.errors() == []
    browser.open(run.html.as_uri())
    name = re.sub(r"\W+", "-", run.root.name)
    browser.screenshot(_screenshots(tmp_path) / f"report-{name}.png")


@pytest.mark.slow
def test_a_failing_step_is_highlighted_with_expected_observed_hint_and_reproduce(run: Run) -> None:
    text = run.html.read_text(encoding="utf-8")
    reds = [r for r in run.results if r["verdict"] in ("good-red", "unwired-red")]
    if not reds:
        pytest.skip("no red in this project")
    assert "step-failing" in text
    for result in run.results:
        if result.get("reproduce"):
            assert f'data-copy="{_escaped(result["reproduce"])}"' in text


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


@pytest.mark.slow
def test_a_hostile_feature_shows_as_text_and_runs_no_script(tmp_path: Path, browser: Browser) -> None:
    root = make_project(tmp_path / "hostile", {"hostile.feature": HOSTILE})
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    run = verify(root)
    assert run.html.is_file(), run.output
    browser.open(run.html.as_uri())
    assert browser.dialogs() == []
    assert browser.errors() == []
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.querySelectorAll('img, b, iframe').length") == 0
    browser.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page_text = browser.evaluate("document.body.innerText")
    for hostile in HOSTILE_TEXTS:
        assert hostile in page_text
    # {{ 7*7 }} was never evaluated: where the feature has it, no 49 stands instead (the page's
    # durations and temporary paths may hold a 49 of their own).
    assert re.search(r"(?:and |alert\(2\)> ?|alert\(2\)>)49", page_text) is None
    browser.screenshot(_screenshots(tmp_path) / "report-hostile.png")
