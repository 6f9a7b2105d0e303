"""`redphase verify --messages`: Cucumber Messages that Cucumber's own models and tools read."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import cucumber_messages as cm
import pytest

from redphase.verify.messages import VERDICT_FILE_NAME, VERDICT_MEDIA_TYPE
from tests.reports.runs import Run, project, verify

KINDS = [
    "meta", "source", "gherkinDocument", "pickle", "stepDefinition", "testRunStarted", "testCase",
    "testCaseStarted", "testStepStarted", "testStepFinished", "testCaseFinished", "testRunFinished",
]  # fmt: skip


def _envelopes(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_every_line_is_an_envelope_of_the_package(run: Run) -> None:
    lines = run.messages.read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        data = json.loads(line)
        envelope = cm.message_converter.from_dict(data, cm.Envelope)
        assert isinstance(envelope, cm.Envelope)
        # Nothing was dropped or renamed on the way: the model holds all of it.
        assert cm.message_converter.to_dict(envelope) == data, line[:200]
    kinds = Counter(next(iter(data)) for data in map(json.loads, lines))
    assert not [kind for kind in KINDS if not kinds[kind]], kinds


@pytest.mark.slow
def test_each_scenario_is_a_test_case_with_its_verdict_attached(run: Run) -> None:
    envelopes = _envelopes(run.messages)
    scenarios = [r for r in run.results if r.get("feature_file")]
    cases = [e["testCase"] for e in envelopes if "testCase" in e]
    assert len(cases) == len(scenarios)
    started = {e["testCaseStarted"]["id"] for e in envelopes if "testCaseStarted" in e}
    attached = [e["attachment"] for e in envelopes if "attachment" in e]
    assert {a["testCaseStartedId"] for a in attached} == started
    assert {a["mediaType"] for a in attached} == {VERDICT_MEDIA_TYPE}
    assert {a["fileName"] for a in attached} == {VERDICT_FILE_NAME}
    verdicts = Counter(json.loads(a["body"])["verdict"] for a in attached)
    assert verdicts == Counter(r["verdict"] for r in scenarios)
    bodies = {json.loads(a["body"])["reproduce"]: json.loads(a["body"]) for a in attached}
    for result in scenarios:
        assert bodies[result["reproduce"]]["hint"] == (result["hint"] or "")
    # A step that failed says why: its status, and the failure's message.
    finished = [e["testStepFinished"]["testStepResult"] for e in envelopes if "testStepFinished" in e]
    reds = [r for r in scenarios if r["verdict"] in ("good-red", "unwired-red")]
    failed = [f for f in finished if f["status"] == "FAILED"]
    assert len(failed) >= len(reds)
    assert all(f.get("message") for f in failed)


SETUP_FAILS = {
    "features/setup.feature": "Feature: Setup\n  Scenario: Database down\n    Given a cart\n    Then it is empty\n",
    "tests/test_setup.py": """\
import pytest
from pytest_bdd import given, scenarios, then

scenarios("../features/setup.feature")


@pytest.fixture(autouse=True)
def database():
    raise RuntimeError("the test database could not be created")


@given("a cart")
def _():
    pass


@then("it is empty")
def _():
    assert False
""",
}


def _statuses(run: Run) -> dict[str, list[tuple[str, str]]]:
    """Per verdict: each finished step's (kind, status), kind being "step" or "hook"."""
    envelopes = _envelopes(run.messages)
    kinds = {
        step["id"]: "hook" if "hookId" in step else "step"
        for e in envelopes
        if "testCase" in e
        for step in e["testCase"]["testSteps"]
    }
    verdict_of = {
        e["attachment"]["testCaseStartedId"]: json.loads(e["attachment"]["body"])["verdict"]
        for e in envelopes
        if "attachment" in e
    }
    found: dict[str, list[tuple[str, str]]] = {}
    for e in envelopes:
        if "testStepFinished" in e:
            finished = e["testStepFinished"]
            found.setdefault(verdict_of[finished["testCaseStartedId"]], []).append(
                (kinds[finished["testStepId"]], finished["testStepResult"]["status"])
            )
    return found


@pytest.mark.slow
def test_every_verdict_maps_to_a_cucumber_status(tmp_path: Path) -> None:
    root = project("verdicts", tmp_path)
    for name, text in SETUP_FAILS.items():
        (root / name).write_text(text, encoding="utf-8")
    run = verify(root)
    statuses = _statuses(run)
    assert ("step", "UNDEFINED") in statuses["undefined-step"]
    assert ("step", "PENDING") in statuses["pending"]
    assert statuses["good-red"][-1] == ("step", "FAILED")
    assert ("step", "SKIPPED") in statuses["early-failure"]
    # A fixture that fails outside any step is a failed hook; the steps it stopped are skipped.
    assert statuses["teardown-error"][-1] == ("hook", "FAILED")
    assert ("hook", "FAILED") in statuses["fixture-error"]
    assert set(statuses["passed"]) == {("step", "PASSED")}


RENDER = """\
import fs from 'node:fs';
import readline from 'node:readline';
import { CucumberHtmlStream } from '@cucumber/html-formatter';
const [input, output] = process.argv.slice(2);
const html = new CucumberHtmlStream();
const done = new Promise((resolve) => html.pipe(fs.createWriteStream(output)).on('finish', resolve));
const lines = readline.createInterface({ input: fs.createReadStream(input), crlfDelay: Infinity });
for await (const line of lines) { if (line.trim()) html.write(JSON.parse(line)); }
html.end();
await done;
"""


@pytest.fixture(scope="session")
def html_formatter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where `@cucumber/html-formatter` is installed from npm, or a clean skip."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("Node and npm are not installed: Cucumber's HTML formatter cannot run")
    folder = tmp_path_factory.mktemp("html-formatter")
    installed = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", "@cucumber/html-formatter"],
        cwd=folder, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if installed.returncode != 0:
        pytest.skip(f"npm could not install @cucumber/html-formatter: {installed.stderr.strip()[-300:]}")
    (folder / "render.mjs").write_text(RENDER, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_cucumbers_html_formatter_renders_the_messages(run: Run, html_formatter: Path) -> None:
    page = run.messages.with_suffix(".cucumber.html")
    rendered = subprocess.run(
        ["node", "render.mjs", str(run.messages), str(page)],
        cwd=html_formatter, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr
    text = page.read_text(encoding="utf-8")
    assert "<html" in text
    # The page embeds the messages it was given: every test case is in it.
    assert text.count('"testCaseStarted"') == run.messages.read_text(encoding="utf-8").count(
        '"testCaseStarted"'
    )
