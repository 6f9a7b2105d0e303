"""Parameter names come from the step's own words; the type's name only when no word fits."""

from __future__ import annotations

import builtins
import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redphase.identifiers import shorten
from redphase.plan.expressions import RESERVED, pattern_for
from redphase.plan.names import step_function_name


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('a visitor registers with email "a@b.c" and name "Ada"', ["email", "name"]),
        ('no account exists for "a@b.c"', ["text"]),
        ("the total is 12", ["total"]),
        ("the balance should be 3.5", ["balance"]),
        ("I have 3 cucumbers", ["cucumbers"]),
        ('I enter "x"', ["text"]),
        ("the customer pays 12.5 by card", ["decimal"]),
        ('an audit event "e" is recorded for "s"', ["event", "text"]),
        ('a welcome email is sent to "x"', ["text"]),
        ('the "list" is "print"', ["text", "text2"]),  # builtins never
        ('a user with id "1" and type "2"', ["text", "text2"]),  # nor shadows `id` or `type`
    ],
)
def test_names_come_from_the_words_next_to_the_value(text: str, names: list[str]) -> None:
    assert [param.name for param in pattern_for(text).params] == names


def test_outline_columns_keep_their_names() -> None:
    pattern = pattern_for(
        "<user> buys <count> apples for <price>", {"user": ["a"], "count": ["1"], "price": ["2"]}
    )
    assert [param.name for param in pattern.params] == ["user", "count", "price"]


def test_other_languages_name_only_a_number_by_its_unit() -> None:
    pattern = pattern_for('il reste 3 gâteaux pour "Zoé"', language="fr")
    assert [param.name for param in pattern.params] == ["gâteaux", "text"]


@given(st.text(max_size=60))
def test_names_are_always_usable_python_parameters(text: str) -> None:
    names = [param.name for param in pattern_for(text).params]
    assert len(set(names)) == len(names)
    for name in names:
        assert name.isidentifier()
        assert not keyword.iskeyword(name)
        assert name not in RESERVED
        assert name not in dir(builtins)


def test_function_names_leave_out_types_and_are_never_cut_in_a_word() -> None:
    assert step_function_name("when", "a visitor registers with email {string}") == (
        "when_a_visitor_registers_with_email"
    )
    long = step_function_name("given", " ".join(["extraordinarily"] * 10))
    assert len(long) <= 70
    assert all(word == "extraordinarily" for word in long.split("_")[1:])
    assert shorten("alpha_beta", 7) == "alpha"
