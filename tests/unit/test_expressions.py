"""The emitted pytest-bdd parser must match the very step text it came from, with the right values."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pytest_bdd import parsers

from redphase.plan.expressions import convert, pattern_for

WORDS = st.sampled_from(
    ["the", "user", "has", "ünïcode", "五", "café", "a", "x", "(a/b)", "{x}", "%", "\\", "--"]
)
INTS = st.integers(min_value=-(10**12), max_value=10**12).map(str)
FLOATS = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6).map(
    lambda f: f"{f:.3f}"
)
STRINGS = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).map(
    lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'
)
TOKENS = st.one_of(WORDS, INTS, FLOATS, STRINGS, st.just('""'), st.just("''"), st.just("-0"), st.just(".5"))


def _assert_round_trip(text: str) -> None:
    pattern = pattern_for(text)
    parser = parsers.re(pattern.regex)
    assert parser.is_matching(text), (text, pattern.regex)
    values = parser.parse_arguments(text)
    assert values is not None
    assert set(values) == {param.name for param in pattern.params}
    for param in pattern.params:
        converted = convert(param, values[param.name])
        assert isinstance(converted, {"int": int, "float": float, "string": str, "text": str}[param.type])


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, min_size=1, max_size=8).map(" ".join))
@example('I have "" and 0 and -1 and -2.5 and "ünï"')
@example("price 1E5 and 3.")
def test_the_regex_matches_its_own_text_and_converts(text: str) -> None:
    _assert_round_trip(text)


@pytest.mark.parametrize(
    ("text", "expression", "values"),
    [
        ("I have 42 cukes", "I have {int} cukes", [42]),
        ("I have -42 cukes", "I have {int} cukes", [-42]),
        ("it weighs 2.5 kg", "it weighs {float} kg", [2.5]),
        ("it weighs -0.5 kg", "it weighs {float} kg", [-0.5]),
        ('the name is ""', "the name is {string}", [""]),
        ("the name is 'O\\'Hara'", "the name is {string}", ["O'Hara"]),
        ('a user "日本" with 3', "a user {string} with {int}", ["日本", 3]),
    ],
)
def test_parameters_are_typed_like_cucumber(text: str, expression: str, values: list[object]) -> None:
    pattern = pattern_for(text)
    assert pattern.expression == expression
    parsed = parsers.re(pattern.regex).parse_arguments(text)
    assert parsed is not None
    assert [convert(param, parsed[param.name]) for param in pattern.params] == values


def test_an_int_pattern_does_not_match_a_float_text() -> None:
    assert not re.fullmatch(pattern_for("I have 42 cukes").regex, "I have 4.2 cukes")


def test_outline_placeholders_become_named_arguments_typed_from_examples() -> None:
    pattern = pattern_for(
        "<who> pays <amount> for <item>", {"who": ["alice"], "amount": ["10", "-3"], "item": ["a b"]}
    )
    assert [(p.name, p.type, p.origin) for p in pattern.params] == [
        ("who", "text", "placeholder"),
        ("amount", "int", "placeholder"),
        ("item", "text", "placeholder"),
    ]
    assert re.fullmatch(pattern.regex, "alice pays -3 for a b")


def test_the_text_between_two_quoted_placeholders_is_not_a_string_of_its_own() -> None:
    # Cucumber reads `"<email>"` as one {string}; `" renames themselves to "` is only the words between.
    pattern = pattern_for(
        'the visitor with email "<email>" renames themselves to "<name>" at 3',
        {"email": ["a@b.c"], "name": ["Ann"]},
    )
    assert pattern.expression == 'the visitor with email "<email>" renames themselves to "<name>" at {int}'
    assert [(p.name, p.type, p.origin) for p in pattern.params] == [
        ("email", "text", "placeholder"),
        ("name", "text", "placeholder"),
        ("number", "int", "text"),
    ]
    assert re.fullmatch(pattern.regex, 'the visitor with email "a@b.c" renames themselves to "Ann" at 3')


def test_a_step_made_only_of_a_placeholder_matches_only_its_examples() -> None:
    pattern = pattern_for("<that>", {"that": ["Baz", "x\\y"]})
    assert re.fullmatch(pattern.regex, "Baz")
    assert re.fullmatch(pattern.regex, "x\\y")
    assert not re.fullmatch(pattern.regex, "anything else")


def test_parameter_names_never_clash_with_reserved_arguments() -> None:
    pattern = pattern_for(
        "<datatable> and <system> and <docstring>", {"datatable": ["1"], "system": ["a"], "docstring": ["b"]}
    )
    names = [param.name for param in pattern.params]
    assert not {"datatable", "docstring", "system"} & set(names)
    assert len(set(names)) == 3


def _cucumbers_own_loop(segment: str) -> tuple[tuple[str, int, int], ...]:
    """The parameters Cucumber's generator finds, with its own (quadratic) matcher objects."""
    import functools

    from cucumber_expressions.expression_generator import CucumberExpressionGenerator
    from cucumber_expressions.parameter_type import ParameterType
    from cucumber_expressions.parameter_type_matcher import ParameterTypeMatcher
    from cucumber_expressions.parameter_type_registry import ParameterTypeRegistry

    matchers = CucumberExpressionGenerator(ParameterTypeRegistry()).create_parameter_type_matchers(segment)
    found = []
    position = 0
    while position < len(segment):
        candidates = [m for m in (matcher.advance_to(position) for matcher in matchers) if m.find]
        if not candidates:
            break
        candidates.sort(key=functools.cmp_to_key(ParameterTypeMatcher.compare))
        best = candidates[0]
        tied = {m.parameter_type for m in candidates if ParameterTypeMatcher.compare(m, best) == 0}
        preferred = sorted(tied, key=functools.cmp_to_key(ParameterType.compare))[0]
        if preferred.name in ("int", "float", "string"):
            found.append((preferred.name, best.start, best.start + len(best.group)))
        position = best.start + len(best.group)
    return tuple(found)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(TOKENS, st.text(max_size=6)), min_size=1, max_size=10).map(lambda t: "".join(t)))
def test_parameters_are_found_where_cucumbers_generator_finds_them(text: str) -> None:
    from redphase.plan.expressions import _cucumber_parameters

    assert _cucumber_parameters(text) == _cucumbers_own_loop(text)


SHAPED = st.one_of(
    TOKENS,
    st.sampled_from(["v2", "x-1", "3-4", "1E5", "٣", "²", "<n>", "<n1>", '"a 1"', "'b2'", "12.5.6", "4th"]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(SHAPED, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=4),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8),
    st.booleans(),
)
def test_texts_of_one_shape_get_the_pattern_each_would_get_alone(
    texts: list[str], numbers: list[int], outline: bool
) -> None:
    # Each text, then the same text with other numbers: the run's memo must give each exactly what
    # working it out from nothing gives, whether or not the shape was met before.
    from redphase.plan.expressions import Patterns

    columns = {"n": ["1", "2"], "n1": ["x"]} if outline else None
    patterns = Patterns()
    for text in texts:
        pieces = re.split(r"(\d+)", text)
        for shift in range(len(numbers) + 1):
            # Each run of digits its own number, a different one each round; the text itself first.
            variant = "".join(
                piece if at % 2 == 0 or not shift else str(numbers[(at + shift) % len(numbers)])
                for at, piece in enumerate(pieces)
            )
            assert patterns(variant, columns) == pattern_for(variant, columns), variant
