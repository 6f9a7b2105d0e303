"""`redphase verify --one-line`: the reason a hook prints names the most pressing problem."""

from __future__ import annotations

from redphase.verify import verdicts as v
from redphase.verify.green import one_line


def _result(verdict: str, name: str) -> dict[str, object]:
    return {"verdict": verdict, "nodeid": f"tests/test_x.py::{name}"}


def test_a_tampered_test_is_named_before_scenarios_never_seen_red() -> None:
    results = [_result(v.NEVER_RED, "first"), _result(v.NEVER_RED, "second"), _result(v.TAMPERED, "edited")]
    assert one_line(results, 1, "green") == "redphase green: tampered tests/test_x.py::edited (+2 more)"


def test_a_collection_error_is_named_before_one_scenarios_failure() -> None:
    results = [_result(v.UNWIRED_RED, "a"), _result(v.EARLY_FAILURE, "b"), _result(v.COLLECTION_ERROR, "c")]
    assert one_line(results, 1, "red") == "redphase red: collection-error tests/test_x.py::c (+2 more)"


def test_every_verdict_that_can_be_a_problem_has_a_place_in_the_order() -> None:
    bad = {verdict for verdict in v.ALL for phase in ("red", "green") if v.is_bad(verdict, phase=phase)}
    # Each phase's good verdict counts as bad in the other phase, which never gives it.
    assert bad - set(v.URGENCY) == {v.GOOD_RED, v.GREEN}
