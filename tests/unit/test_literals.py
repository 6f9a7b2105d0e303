"""User text may only reach generated code as a literal that evaluates back to exactly that text."""

from __future__ import annotations

import ast
import textwrap
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from redphase.render import literals
from redphase.render.literals import PROSE_WIDTH, docstring, pattern_literal, prose_lines, string_literal

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ['"""', "'''", "\\", '\\"', "{{ x }}", "{% raw %}", '__import__("os")', 'x"', "\x00", "\u2028", "\r"]
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(HOSTILE, max_size=6).map("".join))
def test_string_and_pattern_literals_round_trip(text: str) -> None:
    for literal in (string_literal(text), pattern_literal(text)):
        node = ast.parse(literal, mode="eval").body
        assert isinstance(node, ast.Constant)
        assert node.value == text


@settings(max_examples=400, deadline=None)
@given(st.lists(HOSTILE, max_size=6).map("".join))
def test_docstrings_stay_one_string_literal(text: str) -> None:
    source = f"def f():\n    {docstring(text, '    ')}\n"
    tree = ast.parse(source)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    assert len(function.body) == 1
    assert isinstance(function.body[0], ast.Expr)
    assert isinstance(function.body[0].value, ast.Constant)


SEGMENT = st.one_of(
    st.tuples(st.just("text"), st.text(alphabet=st.sampled_from("ab {}\\\"'N\n\t\x00é語"), max_size=8)),
    st.tuples(st.just("name"), st.sampled_from(["INT", "FLOAT", "STRING"])),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(SEGMENT, min_size=1, max_size=6), st.text(max_size=12))
def test_literals_taken_without_the_parser_are_the_parsers_own(
    segments: list[tuple[str, str]], text: str
) -> None:
    # The shortcut for plain raw strings must give what checking every candidate with ast gives.
    with patch.object(literals, "_plainly_raw", lambda body: False):
        slow_pattern, slow_composed = pattern_literal(text), literals.composed_pattern(segments)
    assert pattern_literal(text) == slow_pattern
    assert literals.composed_pattern(segments) == slow_composed


WORDS = st.lists(
    st.one_of(
        st.text(st.sampled_from("ab-"), min_size=1, max_size=12),
        st.text(st.sampled_from("x"), min_size=PROSE_WIDTH - 3, max_size=PROSE_WIDTH + 3),
        st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2003", "- ", "\x1f"]),
    ),
    max_size=40,
).map(" ".join)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(WORDS, st.text(max_size=200)))
def test_prose_is_wrapped_exactly_as_textwrap_wraps_it(text: str) -> None:
    hanging = "  " if text.startswith("- ") else ""
    wrapped = textwrap.wrap(
        text, PROSE_WIDTH, subsequent_indent=hanging, break_long_words=False, break_on_hyphens=False
    )
    assert prose_lines(text) == (wrapped or [""])
