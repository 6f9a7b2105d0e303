from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redphase.identifiers import identifier, unique


@given(st.text(max_size=30))
def test_identifiers_are_always_valid(text: str) -> None:
    name = identifier(text, fallback="scenario")
    assert name.isidentifier()
    assert not keyword.iskeyword(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello world!", "hello_world"),
        ("class", "class_"),
        ("123 go", "scenario_123_go"),
        ("?!.", "scenario"),
        ("Café crème", "café_crème"),
        ("", "scenario"),
    ],
)
def test_identifiers_read_like_the_text(text: str, expected: str) -> None:
    assert identifier(text, fallback="scenario") == expected


def test_names_that_differ_only_by_punctuation_stay_unique() -> None:
    taken: set[str] = set()
    first = unique(f"test_{identifier('Hello!', 'scenario')}", taken)
    taken.add(first)
    second = unique(f"test_{identifier('Hello?', 'scenario')}", taken)
    assert (first, second) == ("test_hello", "test_hello_2")
