"""Where reports arrive: every test's phases gathered, judged once, and written out."""

from __future__ import annotations

import json
import os
import re
import shlex
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from redphase.frozen import frozen
from redphase.verify import hints
from redphase.verify import verdicts as v
from redphase.verify.classify import Judgement, PhaseRecord, ScenarioRecord, application_stub, judge
from redphase.verify.wiring_hint import WiringSuggestions, hint_lines, unwired_steps

PROPERTY = "redphase"

# Bound when the plugin loads: a test may monkeypatch json.dumps or json.loads (jrnl's do) while
# its report, which carries our data as JSON, is being made.
_ENCODER = json.JSONEncoder()
_DECODER = json.JSONDecoder()


def encode_json(data: dict[str, Any]) -> str:
    """`data` as json.dumps(data) would write it, whatever a test did to json.dumps."""
    return _ENCODER.encode(data)


@dataclass
class _Test:
    nodeid: str
    phases: dict[str, PhaseRecord] = field(default_factory=dict)
    scenario: ScenarioRecord | None = None
    health: bool = False
    lock: dict[str, Any] | None = None  # what redphase.lock needs, when the lock is used


@frozen
class RunSettings:
    """What judging and writing out a run needs of pytest's configuration: the same for one pytest
    process and for the shards of `redphase verify --jobs`, which are judged together afterwards."""

    rootdir: Path
    # Reproduce commands run from where pytest ran: `python -m pytest` puts that folder on sys.path.
    invocation_dir: Path
    phase: str = "red"
    allow_unwired: bool = False
    lock: bool = False
    relock: tuple[str, ...] = ()
    # Some tests were chosen by name, -k or -m: a locked test that did not run may not have been selected.
    narrowed: bool = False
    json_path: str | None = None
    report_path: str | None = None
    messages_path: str | None = None
    html_path: str | None = None
    # One shard of `verify --jobs` whose run writes Messages or HTML: each test's steps are sent on.
    records: bool = False

    @classmethod
    def of(cls, config: Any, rootdir: Path) -> RunSettings:
        args = [str(arg) for arg in getattr(config, "args", [])]
        return cls(
            rootdir=rootdir,
            invocation_dir=Path(str(config.invocation_params.dir)),
            phase=str(config.getoption("redphase_phase") or "red"),
            allow_unwired=bool(config.getoption("redphase_allow_unwired")),
            lock=bool(config.getoption("redphase_lock")),
            relock=tuple(config.getoption("redphase_relock") or ()),
            narrowed=any("::" in arg for arg in args)
            or bool(config.getoption("keyword", "") or config.getoption("markexpr", "")),
            json_path=config.getoption("redphase_json"),
            report_path=config.getoption("redphase_report"),
            messages_path=config.getoption("redphase_messages", None),
            html_path=config.getoption("redphase_html", None),
            records=bool(config.getoption("redphase_shard_records", False)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "rootdir": str(self.rootdir),
            "invocation_dir": str(self.invocation_dir),
            "relock": list(self.relock),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSettings:
        return cls(
            **{
                **data,
                "rootdir": Path(data["rootdir"]),
                "invocation_dir": Path(data["invocation_dir"]),
                "relock": tuple(data["relock"]),
            }
        )


class Collector:
    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self.rootdir = settings.rootdir
        self.invocation_dir = settings.invocation_dir
        self._wiring: WiringSuggestions | None = None
        self._green_lock: tuple[dict[str, dict[str, Any]], Any] | None = None
        self.tests: dict[str, _Test] = {}
        self.collection_errors: dict[str, dict[str, Any]] = {}
        self.results: list[dict[str, Any]] = []
        self.started_ns = time.time_ns()

    def add_test_report(self, report: Any) -> None:
        """Read what the plugin recorded for this phase, and take it off the report: reports live
        until the session ends, and junitxml or any other plugin that writes user properties out
        would write ours as one long JSON string."""
        sent = next((value for name, value in report.user_properties if name == PROPERTY), None)
        if sent is None:
            return
        report.user_properties = [(name, value) for name, value in report.user_properties if name != PROPERTY]
        data = _DECODER.decode(sent)
        test = self.tests.setdefault(report.nodeid, _Test(report.nodeid))
        test.phases[report.when] = PhaseRecord(**data["phase"])
        test.health = test.health or bool(data.get("health"))
        if "scenario" in data:
            test.scenario = ScenarioRecord(**data["scenario"])
        if "lock" in data:
            test.lock = data["lock"]

    def add_collection_error(self, report: Any) -> None:
        if report.nodeid in self.collection_errors:
            return
        text = str(report.longrepr)
        self.collection_errors[report.nodeid] = collection_error(
            report.nodeid,
            text,
            self.rootdir,
            self._reproduce(report.nodeid, collect_only=True),
            _location(text, self.rootdir),
        )

    def judged(self) -> list[dict[str, Any]]:
        results = list(self.collection_errors.values())
        results += [self.judge_one(nodeid) for nodeid in sorted(self.tests)]
        return results

    def judge_one(self, nodeid: str) -> dict[str, Any]:
        """One test's result from the phases seen so far: final once its teardown report is in."""
        test = self.tests[nodeid]
        result = self._result(test, judge(test.phases, test.scenario, test.health))
        if self.settings.phase != "green":
            return result
        from redphase.verify import lock

        if self._green_lock is None:
            self._green_lock = (lock.read(self.rootdir), lock.Sources(self.rootdir))
        locked, sources = self._green_lock
        return lock.green_result(result, locked, test.lock, sources)

    def _result(self, test: _Test, judgement: Judgement) -> dict[str, Any]:
        # The phase the verdict is about: the teardown for a teardown-error, else the first that failed.
        order = ("teardown",) if judgement.verdict == v.TEARDOWN_ERROR else ("setup", "call", "teardown")
        failed = next(
            (p for p in (test.phases.get(w) for w in order) if p and p.outcome == "failed"),
            None,
        )
        scenario = test.scenario
        step = None
        if scenario is not None:
            step = scenario.undefined_step or scenario.failed_step
        result: dict[str, Any] = {
            "nodeid": test.nodeid,
            "verdict": judgement.verdict,
            "why": judgement.why,
            "feature": scenario.feature if scenario else None,
            "feature_file": scenario.feature_file if scenario else None,
            "scenario": scenario.scenario if scenario else None,
            "step": step,
            "phase": failed.when if failed else None,
            "exception": failed.exception if failed else None,
            "message": failed.message if failed else "",
            "hint": self._hint(judgement.verdict, failed, step),
            "reproduce": self._reproduce(test.nodeid),
            "purpose": (
                f"Scenario: {scenario.scenario} (Feature: {scenario.feature}, {scenario.feature_file}:{scenario.line})"
                if scenario
                else test.nodeid
            ),
        }
        if any(phase.xfail for phase in test.phases.values()):
            result["xfail"] = True
        if failed is not None and (failed.expected or failed.observed):
            result["expected"], result["observed"] = failed.expected, failed.observed
        if scenario is not None:
            result["when_steps"] = scenario.when_steps
        if judgement.verdict == v.UNWIRED_RED:
            self._suggest_wiring(result)
        return result

    def _suggest_wiring(self, result: dict[str, Any]) -> None:
        if self._wiring is None:
            self._wiring = WiringSuggestions(self.rootdir)
        result["wiring"] = [
            {
                "step": f"{step['keyword']} {step['text']}",
                "candidates": self._wiring.for_step(step["type"], step["text"]),
            }
            for step in unwired_steps(result)
        ]
        if any(entry["candidates"] for entry in result["wiring"]):
            result["hint"] += (
                "\nwiring candidates, best first (as `redphase plan` ranks them):\n"
                + "\n".join(hint_lines(result["wiring"]))
            )

    def _hint(self, verdict: str, failed: PhaseRecord | None, step: dict[str, Any] | None) -> str:
        if verdict == v.UNDEFINED_STEP and step is not None:
            return hints.undefined_step_hint(step)
        if verdict == v.FIXTURE_ERROR and failed is not None:
            return hints.fixture_hint(failed.longrepr or failed.message)
        if verdict == v.INFRASTRUCTURE_ERROR and failed is not None:
            return hints.infrastructure_hint(
                "" if failed.infrastructure == "unknown" else failed.infrastructure
            )
        if verdict == v.UNWIRED_RED:
            return "wire this scenario's steps to the application in the harness (the `system` fixture), then verify again"
        if verdict == v.PENDING:
            return "replace the NotImplementedError stub with a real call through the `system` fixture"
        if failed is not None and failed.exception in ("ModuleNotFoundError", "ImportError"):
            # The step could not import the application: the same advice as for a module that cannot.
            return hints.collection_hint("import", failed.message, self.rootdir)
        if verdict in (v.EARLY_FAILURE, v.TEST_ERROR) and failed is not None and application_stub(failed):
            return (
                "the application code this step calls raises NotImplementedError: a good red runs it "
                "and fails only at the Then step's comparison; give it a first body (doing nothing or "
                "returning a wrong value is enough), then verify again"
            )
        if verdict == v.EARLY_FAILURE:
            return "make the Given/When steps pass first: the outcome is never checked while they fail"
        if verdict == v.TEST_ERROR:
            if failed is not None and failed.raised_in == "application":
                if failed.exception != "AssertionError":
                    return (
                        f"the application raised {failed.exception} while the Then step read the outcome: "
                        "that is a crash, not a failed check; fix the precondition or the code"
                    )
                return "the application's own assert fired: that is a crash, not a failed check; fix the precondition or the code"
            if step is None:
                return (
                    "the test failed outside its steps, in the test function's own body: state the "
                    "check as a Then step, or fix the body"
                )
            return "fix the error in the test code of the Then step so it compares expected with observed"
        if verdict == v.TEARDOWN_ERROR:
            return "a fixture failed while tearing down: fix its cleanup"
        if verdict == v.PASSED:
            return "the scenario already passes: either the behaviour exists, or the Then step checks nothing"
        if verdict == v.NO_OUTCOME:
            return "add a Then step that states the business outcome"
        if verdict == v.HEALTH_FAILED:
            return "the harness does not assemble: fix it before trusting any red"
        return ""

    def _reproduce(self, nodeid: str, collect_only: bool = False) -> str:
        return reproduce_command(self.rootdir, self.invocation_dir, nodeid, collect_only)

    def shard_state(self) -> dict[str, Any]:
        """One shard of a `redphase verify --jobs` run: each test judged on its own, as judging needs
        nothing of any other test, and what the lock and the reports need of the run as a whole."""
        reports = bool(self.settings.messages_path or self.settings.html_path or self.settings.records)
        return {
            "shard_state": 1,
            "settings": self.settings.to_json(),
            "started_ns": self.started_ns,
            "collection_errors": list(self.collection_errors.values()),
            "results": [self.judge_one(nodeid) for nodeid in sorted(self.tests)],
            "tests": {
                nodeid: {
                    "phases": {when: asdict(phase) for when, phase in test.phases.items()} if reports else {},
                    "scenario": asdict(test.scenario) if reports and test.scenario is not None else None,
                    "lock": test.lock,
                }
                for nodeid, test in self.tests.items()
                if reports or test.lock is not None
            },
        }

    def take_shards(self, states: list[dict[str, Any]]) -> None:
        """The results of every shard, in the order one process gives them; a test or collection
        error that more than one shard sent (a file every shard collects) keeps the first one's."""
        errors: dict[str, dict[str, Any]] = {}
        results: dict[str, dict[str, Any]] = {}
        for state in states:
            self.started_ns = min(self.started_ns, int(state["started_ns"]))
            for error in state["collection_errors"]:
                errors.setdefault(error["nodeid"], error)
            for result in state["results"]:
                results.setdefault(result["nodeid"], result)
            for nodeid, data in state["tests"].items():
                self.tests.setdefault(
                    nodeid,
                    _Test(
                        nodeid,
                        {when: PhaseRecord(**phase) for when, phase in data["phases"].items()},
                        ScenarioRecord(**data["scenario"]) if data["scenario"] is not None else None,
                        lock=data["lock"],
                    ),
                )
        # One pytest process meets collection errors as its walk does: pytest's arguments (testpaths)
        # in their order, and each folder's entries by name.
        args = [str(arg) for arg in (states[0].get("args") or []) if states]

        def walked(nodeid: str) -> tuple[int, list[str]]:
            path = os.path.join(str(self.rootdir), nodeid.split("::", 1)[0])
            under = [
                n for n, arg in enumerate(args) if path == arg or path.startswith(arg.rstrip(os.sep) + os.sep)
            ]
            return (under[0] if under else len(args), nodeid.split("/"))

        self.results = [errors[nodeid] for nodeid in sorted(errors, key=walked)]
        self.results += [results[nodeid] for nodeid in sorted(results)]

    def finish(self, terminalreporter: Any) -> None:
        self.results = self.judged()
        self.conclude(terminalreporter)

    def conclude(self, terminalreporter: Any) -> None:
        """Everything after judging each test: the lock, the summary, the JSON and the reports."""
        from redphase.verify import report

        allow = self.settings.allow_unwired
        phase, lock_notes = self._apply_lock()
        report.terminal_summary(terminalreporter, self.results, allow, phase)
        if lock_notes is not None:
            from redphase.verify import green

            green.terminal_lock_notes(terminalreporter, lock_notes)
        json_path = self.settings.json_path
        if json_path:
            report.write_json(Path(json_path), self.results, allow, phase, lock_notes)
        markdown_path = self.settings.report_path
        if markdown_path and phase == "green":
            from redphase.verify import green

            green.write_markdown(Path(markdown_path), self.results)
        elif markdown_path:
            report.write_markdown(Path(markdown_path), self.results, self.rootdir)
        self._write_extra_reports(allow, phase)

    def _write_extra_reports(self, allow: bool, phase: str) -> None:
        """Cucumber Messages and the HTML report, when asked for."""
        from redphase.verify import report

        records = {nodeid: test.scenario for nodeid, test in self.tests.items() if test.scenario is not None}
        success = report.exit_status(self.results, allow, phase) == 0
        messages_path = self.settings.messages_path
        if messages_path:
            from redphase.verify import messages

            text = messages.to_ndjson(
                messages.envelopes(
                    self.results,
                    records,
                    self.rootdir,
                    self.started_ns,
                    time.time_ns(),
                    success,
                    {nodeid: test.phases for nodeid, test in self.tests.items()},
                )
            )
            report.write_text_atomically(Path(messages_path), text)
        html_path = self.settings.html_path
        if html_path:
            from redphase.verify import html

            report.write_text_atomically(
                Path(html_path), html.render(self.results, records, self.rootdir, allow, phase=phase)
            )

    def _apply_lock(self) -> tuple[str, dict[str, Any] | None]:
        """Green phase: the results judged against redphase.lock. Red phase with the lock on: the
        lock updated with this run's good reds."""
        phase = self.settings.phase
        if phase != "green" and not self.settings.lock:
            return phase, None  # the lock is not used: its module (hashlib, difflib) need not load
        from redphase.verify import lock

        recordings = {nodeid: test.lock for nodeid, test in self.tests.items() if test.lock is not None}
        if phase == "green":
            # Narrowed to some tests, a locked test that did not run is not judged missing.
            narrowed = self.settings.narrowed
            self.results = lock.judge_green(self.rootdir, self.results, recordings, not narrowed)
            return phase, None
        return phase, lock.update_red(self.rootdir, self.results, recordings, list(self.settings.relock))


def collection_error(
    nodeid: str, text: str, rootdir: Path, reproduce: str, location: str = ""
) -> dict[str, Any]:
    """The result for a module, conftest or plugin that could not be collected or loaded."""
    category = hints.collection_category(text)
    where = f" at {location}" if location else ""
    return {
        "nodeid": nodeid,
        "verdict": v.COLLECTION_ERROR,
        "category": category,
        "location": location or None,
        "feature": None,
        "scenario": None,
        "step": None,
        "phase": "collect",
        "exception": _exception_name(text),
        "message": _last_error_line(text),
        "hint": hints.collection_hint(category, text, rootdir),
        "reproduce": reproduce,
        "purpose": f"collect {nodeid or 'the test session'}",
        "why": f"the module or conftest could not be collected ({category}){where}",
    }


def relative_to_root(filename: str, rootdir: Path) -> str:
    """`filename` as a path from the rootdir, the way results name files; as given when outside it."""
    try:
        return Path(filename).resolve().relative_to(rootdir.resolve()).as_posix()
    except ValueError:
        return filename


def reproduce_command(rootdir: Path, invocation_dir: Path, nodeid: str, collect_only: bool = False) -> str:
    """One shell command that runs just this test as `python -m pytest` did: from the same folder."""
    target = ""
    if nodeid:
        path, separator, rest = nodeid.partition("::")
        relative = os.path.relpath(rootdir / path, invocation_dir) if path else "."
        target = " " + shlex.quote(Path(relative).as_posix() + separator + rest)
    command = f"cd {shlex.quote(str(invocation_dir))} && python -m pytest{target}"
    return command + (" --collect-only" if collect_only else "")


_TRACEBACK_LINE = re.compile(
    r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)|^(?P<path>[^\s:]+\.py):(?P<number>\d+):', re.M
)


# How pytest-bdd's GherkinParseError shows the feature file and line it could not read.
_FEATURE_LINE = re.compile(
    r"^E?\s+Line number: (?P<line>\d+)\s*\nE?\s+Line: .*\nE?\s+File: (?P<file>.+?)\s*$", re.M
)


def _location(text: str, rootdir: Path) -> str:
    """The feature file:line pytest-bdd could not read, else the innermost project file:line that a
    collection error's traceback names, or ""."""
    feature = _FEATURE_LINE.search(text)
    if feature is not None:
        return f"{relative_to_root(feature.group('file'), rootdir)}:{feature.group('line')}"
    found = ""
    for match in _TRACEBACK_LINE.finditer(text):
        path = Path(match.group("file") or match.group("path"))
        if path.is_absolute():
            try:
                path = path.resolve().relative_to(rootdir.resolve())
            except ValueError:
                continue
        if "site-packages" not in path.parts:
            found = f"{path.as_posix()}:{match.group('line') or match.group('number')}"
    return found


def _exception_name(text: str) -> str:
    for line in reversed(text.splitlines()):
        stripped = line.strip().removeprefix("E").strip()
        name = stripped.split(":", 1)[0]
        if name.isidentifier() and (name.endswith(("Error", "Exception", "Warning")) or name == "Failed"):
            return name
    return ""


def _last_error_line(text: str) -> str:
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return (lines[-1] if lines else text.strip().splitlines()[-1] if text.strip() else "")[:500]
