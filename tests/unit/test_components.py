"""Which components a step's words name: the look at a text's words before the rules only ever
skips texts that no rule would match."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from redphase.config import ComponentOverride
from redphase.plan.components import DEFAULT_WORDS, ComponentInference

WORDS = [
    *sorted({word for _, _, words in DEFAULT_WORDS for word in words}),
    *["the", "user", "E-MAIL", "Payments", "emailed", "paycheck", "ledger", "ledgers", "-", "42", "语", "Ä"],
    # Letters a case-insensitive regex reads as ASCII ones: the Kelvin sign, the long s, dotted i's.
    *["\u212aard", "\u017fms", "\u0130nbox", "pa\u0131d", "\u0130NVO\u0130CE", "ﬀ", "Stra\u00dfe"],
]
OVERRIDES = [
    (),
    (ComponentOverride("vault", "own", None, ("\u00fcberweisung", "key")),),  # not ASCII: no look first
    (ComponentOverride("ledger", "own", None, ("ledger", "pay")),),
    (ComponentOverride("email", None, "real", ("inbox",)), ComponentOverride("audit", "database")),
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
    st.sampled_from([" ", "", "-", ", "]),
    st.sampled_from(range(len(OVERRIDES))),
)
def test_the_one_search_skips_only_texts_no_rule_matches(words: list[str], joiner: str, which: int) -> None:
    text = joiner.join(words)
    inference = ComponentInference(OVERRIDES[which])
    every_rule = ComponentInference(OVERRIDES[which])
    every_rule._first_words = None  # no look at the words first: every rule is tried on every text
    assert inference.touched_by(text) == every_rule.touched_by(text), text
