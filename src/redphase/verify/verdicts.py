"""The verdict vocabulary: exact strings shared by the JSON, the reports and the exit code."""

from __future__ import annotations

GOOD_RED = "good-red"
UNWIRED_RED = "unwired-red"
PASSED = "passed"
UNDEFINED_STEP = "undefined-step"
PENDING = "pending"
EARLY_FAILURE = "early-failure"
TEST_ERROR = "test-error"
FIXTURE_ERROR = "fixture-error"
COLLECTION_ERROR = "collection-error"
INFRASTRUCTURE_ERROR = "infrastructure-error"
TEARDOWN_ERROR = "teardown-error"
NO_OUTCOME = "no-outcome"
HEALTH_OK = "health-ok"
HEALTH_FAILED = "health-failed"
SKIPPED = "skipped"
NOT_SCENARIO = "not-scenario"

# The green phase (`redphase verify --phase green`), judged against redphase.lock.
GREEN = "green"
STILL_RED = "still-red"
TAMPERED = "tampered"
NEVER_RED = "never-red"
MISSING = "missing"
GREEN_PHASE = (GREEN, STILL_RED, TAMPERED, NEVER_RED, MISSING)

ALL = (
    GOOD_RED,
    UNWIRED_RED,
    PASSED,
    UNDEFINED_STEP,
    PENDING,
    EARLY_FAILURE,
    TEST_ERROR,
    FIXTURE_ERROR,
    COLLECTION_ERROR,
    INFRASTRUCTURE_ERROR,
    TEARDOWN_ERROR,
    NO_OUTCOME,
    HEALTH_OK,
    HEALTH_FAILED,
    SKIPPED,
    NOT_SCENARIO,
    *GREEN_PHASE,
)
# Problems, most pressing first: what stops the whole run or breaks the lock's promise comes before
# one scenario's own trouble, so that a one-line reason names what to fix first.
URGENCY = (
    COLLECTION_ERROR,
    HEALTH_FAILED,
    INFRASTRUCTURE_ERROR,
    TAMPERED,
    MISSING,
    FIXTURE_ERROR,
    UNDEFINED_STEP,
    EARLY_FAILURE,
    TEST_ERROR,
    TEARDOWN_ERROR,
    NO_OUTCOME,
    PENDING,
    STILL_RED,
    NEVER_RED,
    PASSED,
    UNWIRED_RED,
)
# Neither good nor bad: listed, never judged.
NEUTRAL = frozenset({SKIPPED, NOT_SCENARIO})


def is_good(verdict: str, allow_unwired: bool = False, phase: str = "red") -> bool:
    if phase == "green":
        return verdict in (GREEN, HEALTH_OK)
    return verdict in (GOOD_RED, HEALTH_OK) or (allow_unwired and verdict == UNWIRED_RED)


def is_bad(verdict: str, allow_unwired: bool = False, phase: str = "red") -> bool:
    return verdict not in NEUTRAL and not is_good(verdict, allow_unwired, phase)


def most_pressing_first(verdict: str) -> int:
    """A sort key: the place of `verdict` in URGENCY, any other after them all."""
    return URGENCY.index(verdict) if verdict in URGENCY else len(URGENCY)
