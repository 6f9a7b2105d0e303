"""A verify run as Cucumber Messages (NDJSON): what Cucumber's own tools read.

The messages are the `cucumber-messages` package's models, never hand-written dictionaries: the
Gherkin side (source, gherkinDocument, pickle) comes from gherkin-official's event stream, read into
those models, and the run side (stepDefinition, hook, testRunStarted, testCase, testCaseStarted,
testStepStarted, testStepFinished, attachment, testCaseFinished, testRunFinished) is built from what
the plugin recorded where each test ran.

Only scenarios become test cases: a plain test, a health check or a collection error has no pickle.
Each test case carries its redphase verdict as an attachment of media type `application/json`, file
name `redphase-verdict.json`, with `verdict`, `good`, `why`, `hint` and `reproduce`; it is attached
to the step that failed (else the last step; a scenario without steps, to its test case). `testRunFinished.success` is redphase's own answer (the
red phase is good), with the verdict counts as its message.
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import cucumber_messages as cm

from redphase.verify import verdicts as v
from redphase.verify.classify import PhaseRecord, ScenarioRecord

VERDICT_MEDIA_TYPE = "application/json"
VERDICT_FILE_NAME = "redphase-verdict.json"
_GHERKIN_MEDIA_TYPE = "text/x.cucumber.gherkin+plain"
_STATUS = cm.TestStepResultStatus


def _timestamp(ns: int) -> cm.Timestamp:
    return cm.Timestamp(seconds=ns // 1_000_000_000, nanos=ns % 1_000_000_000)


def _duration(ns: int) -> cm.Duration:
    ns = max(0, ns)
    return cm.Duration(seconds=ns // 1_000_000_000, nanos=ns % 1_000_000_000)


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _meta() -> cm.Meta:
    return cm.Meta(
        protocol_version=_version("cucumber-messages") or "0.0.0",
        implementation=cm.Product(name="redphase", version=_version("redphase")),
        runtime=cm.Product(name=platform.python_implementation(), version=platform.python_version()),
        os=cm.Product(name=platform.system() or "unknown", version=platform.release() or None),
        cpu=cm.Product(name=platform.machine() or "unknown"),
    )


@dataclass
class _Document:
    """One feature file's Gherkin messages, and what a test case needs to find its pickle."""

    envelopes: list[cm.Envelope] = field(default_factory=list)
    pickles: list[dict[str, Any]] = field(default_factory=list)
    line_of: dict[str, int] = field(default_factory=dict)  # AST node id -> line
    row_values: dict[str, list[str]] = field(default_factory=dict)  # Examples row id -> cell values
    scenario_at: dict[int, dict[str, Any]] = field(default_factory=dict)  # line -> Scenario node
    language: str = "en"


def _walk_ast(document: dict[str, Any], found: _Document) -> None:
    def scenario_like(node: dict[str, Any]) -> None:
        found.line_of[node["id"]] = node["location"]["line"]
        if "examples" in node:  # a Scenario, not a Background
            found.scenario_at[node["location"]["line"]] = node
        for step in node.get("steps", []):
            found.line_of[step["id"]] = step["location"]["line"]
        for examples in node.get("examples", []):
            for row in examples.get("tableBody", []):
                found.line_of[row["id"]] = row["location"]["line"]
                found.row_values[row["id"]] = [cell["value"] for cell in row.get("cells", [])]

    def children(nodes: list[dict[str, Any]]) -> None:
        for child in nodes:
            for kind in ("background", "scenario"):
                if kind in child:
                    scenario_like(child[kind])
            if "rule" in child:
                children(child["rule"].get("children", []))

    feature = document.get("feature") or {}
    found.language = feature.get("language") or "en"
    children(feature.get("children", []))


def _read_document(rootdir: Path, uri: str, events: Any) -> _Document:
    found = _Document()
    try:
        text = (rootdir / uri).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return found
    source = {"source": {"uri": uri, "data": text, "mediaType": _GHERKIN_MEDIA_TYPE}}
    for event in events.enum(source):
        found.envelopes.append(cm.message_converter.from_dict(event, cm.Envelope))
        if "gherkinDocument" in event:
            _walk_ast(event["gherkinDocument"], found)
        elif "pickle" in event:
            found.pickles.append(event["pickle"])
    return found


_PARAMETERS = re.compile(r"\[(?P<id>.*)\]$")


def _pickle_for(
    document: _Document, record: ScenarioRecord, nodeid: str, used: set[str]
) -> dict[str, Any] | None:
    candidates = [
        pickle
        for pickle in document.pickles
        if pickle["id"] not in used and document.line_of.get(pickle["astNodeIds"][0]) == record.line
    ]
    if len(candidates) > 1:
        match = _PARAMETERS.search(nodeid)
        if match:
            wanted = match.group("id")
            for pickle in candidates:
                row = pickle["astNodeIds"][-1]
                if "-".join(document.row_values.get(row, [])) == wanted:
                    return pickle
    return candidates[0] if candidates else None


def _stepless_pickle(
    document: _Document, record: ScenarioRecord, uri: str, ids: Any
) -> dict[str, Any] | None:
    """Gherkin compiles no pickle for a scenario without steps (or an outline without rows), but
    pytest-bdd runs it, and its verdict (no-outcome) belongs in the report: a pickle of no steps."""
    scenario = document.scenario_at.get(record.line)
    if scenario is None:
        return None
    return {
        "id": ids("pickle"),
        "uri": uri,
        "name": scenario.get("name", ""),
        "language": document.language,
        "steps": [],
        "tags": [{"name": tag["name"], "astNodeId": tag["id"]} for tag in scenario.get("tags", [])],
        "astNodeIds": [scenario["id"]],
    }


class _Ids:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, prefix: str) -> str:
        self.count += 1
        return f"redphase-{prefix}-{self.count}"


def envelopes(
    results: list[dict[str, Any]],
    records: dict[str, ScenarioRecord],
    rootdir: Path,
    started_ns: int,
    finished_ns: int,
    success: bool,
    phases: dict[str, dict[str, PhaseRecord]] | None = None,
) -> Iterator[cm.Envelope]:
    """Every message of the run, in the order Cucumber writes them."""
    from gherkin.stream.gherkin_events import GherkinEvents

    yield cm.Envelope(meta=_meta())
    events = GherkinEvents(GherkinEvents.Options(print_source=True, print_ast=True, print_pickles=True))
    documents: dict[str, _Document] = {}
    scenarios = [r for r in results if r.get("feature_file") and r["nodeid"] in records]
    for result in scenarios:
        uri = result["feature_file"]
        if uri not in documents:
            documents[uri] = _read_document(rootdir, uri, events)
            yield from documents[uri].envelopes

    ids = _Ids()
    definitions: dict[tuple[str, bool, str, int], str] = {}
    for result in scenarios:
        for step in records[result["nodeid"]].steps:
            found = step.get("definition")
            if found:
                key = (found["pattern"], bool(found["regex"]), found["file"], int(found["line"]))
                definitions.setdefault(key, ids("step-definition"))
    for (pattern, regex, uri, line), identifier in definitions.items():
        kind = cm.StepDefinitionPatternType
        yield cm.Envelope(
            step_definition=cm.StepDefinition(
                id=identifier,
                pattern=cm.StepDefinitionPattern(
                    source=pattern, type=kind.regular_expression if regex else kind.cucumber_expression
                ),
                source_reference=cm.SourceReference(uri=uri or None, location=cm.Location(line=line or 1)),
            )
        )
    hooks = {
        "setup": ids("hook"),
        "call": ids("hook"),
        "teardown": ids("hook"),
    }
    hook_names = {
        "setup": "pytest setup (fixtures)",
        "call": "pytest call, outside any step",
        "teardown": "pytest teardown (fixtures)",
    }
    for phase, identifier in hooks.items():
        yield cm.Envelope(
            hook=cm.Hook(
                id=identifier,
                name=hook_names[phase],
                type=cm.HookType.before_test_case if phase == "setup" else cm.HookType.after_test_case,
                source_reference=cm.SourceReference(),
            )
        )
    run_id = ids("test-run")
    yield cm.Envelope(test_run_started=cm.TestRunStarted(timestamp=_timestamp(started_ns), id=run_id))

    planned: list[tuple[dict[str, Any], cm.TestCase, list[tuple[cm.TestStep, dict[str, Any]]]]] = []
    used: set[str] = set()
    for result in scenarios:
        record = records[result["nodeid"]]
        document = documents[result["feature_file"]]
        pickle = _pickle_for(document, record, result["nodeid"], used)
        if pickle is None:
            pickle = _stepless_pickle(document, record, result["feature_file"], ids)
            if pickle is None:
                continue
            yield cm.message_converter.from_dict({"pickle": pickle}, cm.Envelope)
        used.add(pickle["id"])
        teardown = (phases or {}).get(result["nodeid"], {}).get("teardown")
        steps = _plan_steps(result, record, pickle, document, definitions, hooks, ids, teardown)
        test_case = cm.TestCase(
            id=ids("test-case"),
            pickle_id=pickle["id"],
            test_steps=[step for step, _ in steps],
            test_run_started_id=run_id,
        )
        planned.append((result, test_case, steps))
        yield cm.Envelope(test_case=test_case)

    for result, test_case, steps in planned:
        record = records[result["nodeid"]]
        yield from _execution(result, record, test_case, steps, ids, started_ns)

    counts: dict[str, int] = {}
    for result in results:
        counts[result["verdict"]] = counts.get(result["verdict"], 0) + 1
    summary = ", ".join(f"{n} {verdict}" for verdict, n in counts.items()) or "no tests"
    yield cm.Envelope(
        test_run_finished=cm.TestRunFinished(
            success=success,
            timestamp=_timestamp(max(finished_ns, started_ns)),
            message=f"redphase: {summary} - red phase is {'good' if success else 'not good'}",
            test_run_started_id=run_id,
        )
    )


def _plan_steps(
    result: dict[str, Any],
    record: ScenarioRecord,
    pickle: dict[str, Any],
    document: _Document,
    definitions: dict[tuple[str, bool, str, int], str],
    hooks: dict[str, str],
    ids: _Ids,
    teardown: PhaseRecord | None = None,
) -> list[tuple[cm.TestStep, dict[str, Any]]]:
    """Each test step, with its outcome: status, timing, and the failure it carries."""
    failed_phase = result.get("phase")
    verdict = result["verdict"]
    failure = {"exception": result.get("exception") or "", "message": result.get("message") or ""}
    planned: list[tuple[cm.TestStep, dict[str, Any]]] = []
    if failed_phase == "setup":
        planned.append(
            (cm.TestStep(id=ids("test-step"), hook_id=hooks["setup"]), {"status": _STATUS.failed, **failure})
        )
    recorded = list(record.steps)
    undefined_line = (record.undefined_step or {}).get("line")
    stopped = failed_phase == "setup" or verdict == v.SKIPPED
    step_failed = False
    for pickle_step in pickle.get("steps", []):
        line = document.line_of.get(pickle_step["astNodeIds"][0])
        ran = recorded.pop(0) if recorded and recorded[0]["line"] == line else None
        definition_ids: list[str] = []
        outcome: dict[str, Any]
        if ran is not None:
            found = ran.get("definition")
            if found:
                key = (found["pattern"], bool(found["regex"]), found["file"], int(found["line"]))
                definition_ids = [definitions[key]]
            if ran["status"] == "passed":
                outcome = {"status": _STATUS.passed}
            else:
                status = _STATUS.pending if verdict == v.PENDING else _STATUS.failed
                outcome = {"status": status, **failure}
                step_failed, stopped = True, True
            outcome.update(start_ns=ran["start_ns"], duration_ns=ran["duration_ns"])
        elif not stopped and undefined_line is not None and line == undefined_line:
            outcome = {"status": _STATUS.undefined, "message": failure["message"]}
            step_failed, stopped = True, True
        else:
            outcome = {"status": _STATUS.skipped}
            stopped = True
        step = cm.TestStep(
            id=ids("test-step"), pickle_step_id=pickle_step["id"], step_definition_ids=definition_ids
        )
        planned.append((step, outcome))
    if failed_phase == "call" and not step_failed:
        planned.append(
            (cm.TestStep(id=ids("test-step"), hook_id=hooks["call"]), {"status": _STATUS.failed, **failure})
        )
    if teardown is not None and teardown.outcome == "failed":
        planned.append(
            (
                cm.TestStep(id=ids("test-step"), hook_id=hooks["teardown"]),
                {"status": _STATUS.failed, "exception": teardown.exception, "message": teardown.message},
            )
        )
    return planned


def _execution(
    result: dict[str, Any],
    record: ScenarioRecord,
    test_case: cm.TestCase,
    steps: list[tuple[cm.TestStep, dict[str, Any]]],
    ids: _Ids,
    run_started_ns: int,
) -> Iterator[cm.Envelope]:
    started = ids("test-case-started")
    clock = record.started_ns or run_started_ns
    yield cm.Envelope(
        test_case_started=cm.TestCaseStarted(
            attempt=0, id=started, test_case_id=test_case.id, timestamp=_timestamp(clock)
        )
    )
    attach_to = next(
        (step.id for step, outcome in steps if outcome["status"] not in (_STATUS.passed, _STATUS.skipped)),
        steps[-1][0].id if steps else None,
    )
    if attach_to is None:  # a scenario without steps: the verdict belongs to the test case itself
        yield cm.Envelope(attachment=_verdict_attachment(result, started, None, clock))
    for step, outcome in steps:
        clock = max(clock, outcome.get("start_ns") or clock)
        yield cm.Envelope(
            test_step_started=cm.TestStepStarted(
                test_case_started_id=started, test_step_id=step.id, timestamp=_timestamp(clock)
            )
        )
        if step.id == attach_to:
            yield cm.Envelope(attachment=_verdict_attachment(result, started, step.id, clock))
        duration = int(outcome.get("duration_ns") or 0)
        clock += duration
        exception = None
        if outcome.get("exception"):
            exception = cm.Exception(type=outcome["exception"], message=outcome.get("message") or None)
        message = None
        if outcome["status"] in (_STATUS.failed, _STATUS.pending, _STATUS.undefined):
            name = outcome.get("exception") or ""
            text = outcome.get("message") or result.get("why") or ""
            message = f"{name}: {text}" if name and text else name or text or None
        yield cm.Envelope(
            test_step_finished=cm.TestStepFinished(
                test_case_started_id=started,
                test_step_id=step.id,
                test_step_result=cm.TestStepResult(
                    duration=_duration(duration),
                    status=outcome["status"],
                    exception=exception,
                    message=message,
                ),
                timestamp=_timestamp(clock),
            )
        )
    yield cm.Envelope(
        test_case_finished=cm.TestCaseFinished(
            test_case_started_id=started, timestamp=_timestamp(clock), will_be_retried=False
        )
    )


def _verdict_attachment(
    result: dict[str, Any], started: str, step_id: str | None, clock: int
) -> cm.Attachment:
    body = {
        "verdict": result["verdict"],
        "good": v.is_good(result["verdict"], False),
        "why": result.get("why") or "",
        "hint": result.get("hint") or "",
        "reproduce": result.get("reproduce") or "",
    }
    return cm.Attachment(
        body=json.dumps(body, ensure_ascii=False),
        content_encoding=cm.AttachmentContentEncoding.identity,
        media_type=VERDICT_MEDIA_TYPE,
        file_name=VERDICT_FILE_NAME,
        test_case_started_id=started,
        test_step_id=step_id,
        timestamp=_timestamp(clock),
    )


def to_ndjson(messages: Iterator[cm.Envelope]) -> str:
    return "".join(
        json.dumps(cm.message_converter.to_dict(envelope), ensure_ascii=False, separators=(",", ":")) + "\n"
        for envelope in messages
    )
