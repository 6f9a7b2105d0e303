"""From what was observed during one test's setup, call and teardown to exactly one verdict.

Pure functions over plain, JSON-able data: the same data gives the same verdict whether it was
recorded in this process or sent over by a pytest-xdist worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from redphase.verify import verdicts as v

# Exception type names, as recorded, that decide a verdict on their own.
_UNDEFINED = {"StepDefinitionNotFoundError"}
_FIXTURE = {"FixtureLookupError"}


@dataclass
class PhaseRecord:
    """One phase (setup, call or teardown) of one test, as recorded where the test ran."""

    when: str
    outcome: str  # passed, failed, skipped
    exception: str = ""
    chain: list[str] = field(default_factory=list)
    message: str = ""
    raised_in: str = ""  # test, application, library
    unwired: bool = False
    infrastructure: str = ""  # the address that refused, or "unknown"; "" when not infrastructure
    xfail: bool = False
    # Raised by a fixture's own code while a step requested it (pytest-bdd asks for step arguments
    # when the step runs): a failed fixture, not a failed step.
    in_fixture: bool = False
    expected: str = ""
    observed: str = ""
    longrepr: str = ""


@dataclass
class ScenarioRecord:
    feature: str
    feature_file: str
    scenario: str
    line: int
    has_then: bool
    # Only the When steps are kept: the gaps report lists them as integration points.
    when_steps: list[dict[str, Any]] = field(default_factory=list)
    failed_step: dict[str, Any] | None = None
    undefined_step: dict[str, Any] | None = None
    # Each step that started, in order (line, status, start_ns, duration_ns, definition), for
    # Cucumber Messages; and when the scenario started, in nanoseconds since the epoch.
    steps: list[dict[str, Any]] = field(default_factory=list)
    started_ns: int = 0
    app_ran: bool = False
    # The command line, when the application ran in a subprocess that a step started.
    app_ran_in: str = ""


@dataclass
class Judgement:
    verdict: str
    why: str


def judge(phases: dict[str, PhaseRecord], scenario: ScenarioRecord | None, is_health: bool) -> Judgement:
    setup, call, teardown = phases.get("setup"), phases.get("call"), phases.get("teardown")
    # An xfail that failed was recorded as failed, so only a skip, or a declared pytest.xfail(), is here.
    if any(phase.outcome == "skipped" for phase in phases.values()):
        return Judgement(
            v.SKIPPED, "skipped" if not any(p.xfail for p in phases.values()) else "xfailed on purpose"
        )
    if scenario is None and not is_health:
        # A plain test is listed, never judged: not even when its own fixtures fail.
        return Judgement(v.NOT_SCENARIO, "a plain test, neither a scenario nor a health check")
    if setup is not None and setup.outcome == "failed":
        if setup.infrastructure:
            return Judgement(
                v.INFRASTRUCTURE_ERROR, "a service could not be reached while fixtures were set up"
            )
        if is_health:
            return Judgement(v.HEALTH_FAILED, "the health check's fixtures failed")
        return Judgement(v.FIXTURE_ERROR, "a fixture is missing or failed during setup")
    if teardown is not None and teardown.outcome == "failed":
        # The test's own trouble comes first, and a teardown that failed after it is said with it;
        # a red that would be good, or a pass, is a teardown-error.
        ran = _judge_run(call, scenario, is_health)
        if v.is_bad(ran.verdict) and ran.verdict not in (v.UNWIRED_RED, v.PASSED):
            return Judgement(ran.verdict, f"{ran.why}; then a fixture failed while tearing down too")
        return Judgement(
            v.TEARDOWN_ERROR, f"a fixture failed while tearing down, after the test was {ran.verdict}"
        )
    return _judge_run(call, scenario, is_health)


def _judge_run(call: PhaseRecord | None, scenario: ScenarioRecord | None, is_health: bool) -> Judgement:
    """The verdict of a test whose setup passed, from its call."""
    if scenario is None:
        ok = call is None or call.outcome == "passed"
        return Judgement(v.HEALTH_OK if ok else v.HEALTH_FAILED, "a harness health check")
    if call is None or call.outcome == "passed":
        if not scenario.has_then:
            return Judgement(v.NO_OUTCOME, "the scenario has no Then step, so nothing was asserted")
        return Judgement(
            v.PASSED, "the scenario passed in the red phase: the behaviour exists, or nothing is checked"
        )
    return _judge_failure(call, scenario)


def application_stub(call: PhaseRecord) -> bool:
    """The failure is a NotImplementedError the application's own code raised, not a test's stub."""
    return call.raised_in == "application" and "NotImplementedError" in call.chain


def _judge_failure(call: PhaseRecord, scenario: ScenarioRecord) -> Judgement:
    names = set(call.chain)
    if scenario.undefined_step is not None or names & _UNDEFINED:
        return Judgement(v.UNDEFINED_STEP, "a step has no definition")
    if call.infrastructure:
        return Judgement(v.INFRASTRUCTURE_ERROR, "a service could not be reached")
    # A stub in the test code is pending; the application's own stub is judged by where it stopped
    # the scenario, as any other exception of the application's would be.
    if "NotImplementedError" in names and not application_stub(call):
        return Judgement(v.PENDING, "a step or test is a stub that raises NotImplementedError")
    if names & _FIXTURE:
        return Judgement(v.FIXTURE_ERROR, "a step requests a fixture that is missing")
    if call.in_fixture:
        return Judgement(v.FIXTURE_ERROR, "a fixture that a step requests failed while it was set up")
    step = scenario.failed_step
    if step is None:
        return Judgement(v.TEST_ERROR, "the test failed outside its steps")
    if step["type"] in ("given", "when"):
        return Judgement(
            v.EARLY_FAILURE, f"failed in a {step['type'].capitalize()} step, before the outcome was checked"
        )
    if call.exception != "AssertionError" and not _expected_exception_missing(call):
        if call.raised_in == "application":
            return Judgement(
                v.TEST_ERROR,
                f"{call.exception} was raised inside application code during a Then step: a crash, not a failed check",
            )
        return Judgement(
            v.TEST_ERROR, f"{call.exception} in a Then step is an error in test code, not a failed check"
        )
    if call.raised_in == "application":
        return Judgement(
            v.TEST_ERROR, "the AssertionError was raised inside application code, not by the test"
        )
    if call.unwired:
        return Judgement(v.UNWIRED_RED, "the assertion compared against an unwired harness placeholder")
    if not scenario.app_ran:
        return Judgement(v.UNWIRED_RED, "no application code ran during the steps")
    if scenario.app_ran_in:
        return Judgement(
            v.GOOD_RED,
            "an assertion in a Then step failed after the application ran in a subprocess "
            f"(inferred from its command: {scenario.app_ran_in})",
        )
    return Judgement(v.GOOD_RED, "an assertion in a Then step failed after application code ran")


def _expected_exception_missing(call: PhaseRecord) -> bool:
    """`pytest.raises` or `pytest.warns` saw nothing raised: a failed check, stated with pytest's
    helpers. Given `match=`, the same helpers fail an exception of the right type with the wrong
    message with an AssertionError; an exception of another type goes through them as it is."""
    return call.exception == "Failed" and call.message.startswith(("DID NOT RAISE", "DID NOT WARN"))
