"""The filed lookup of existing steps answers exactly as trying every step in project order would."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_bdd import parsers

from redphase.project.index import DeferredParser, ExistingStep, ProjectIndex

WORDS = [
    "the",
    "The",
    "THE",
    "then",
    "th",
    "user",
    "users",
    "has",
    "ſ",
    "s",
    "K",
    "k",
    "\u212a",
    "42",
    "-3",
    "a.b",
    "(x)",
    "語",
    "",
]
TEXT = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
STEPS = Path("/p/tests/step_defs")
MODULES = [Path("/p/tests/test_a.py"), Path("/p/tests/sub/test_b.py"), Path("/p/other/test_c.py")]


@st.composite
def matchers(draw: st.DrawFn) -> object:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
    literal = " ".join(words)
    kind = draw(
        st.sampled_from(["string", "re", "re-i", "re-x", "re-group", "parse", "cfparse", "parse-glued"])
    )
    if kind == "string":
        return parsers.string(literal)
    if kind == "re":
        return parsers.re(
            re.escape(literal).replace("\\ ", " ") + draw(st.sampled_from(["", " .*", "s?", r"\d*"]))
        )
    if kind == "re-i":
        return parsers.re(re.escape(literal).replace("\\ ", " ") + "(?: .*)?", re.IGNORECASE)
    if kind == "re-x":
        return parsers.re(literal.replace(" ", r"\ "), re.VERBOSE)
    if kind == "re-group":
        return parsers.re(r"(?P<x>\w+) " + re.escape(literal))
    if kind == "parse-glued":  # a parameter straight after the literal, no space between
        return parsers.parse(literal + "{x}")
    return (parsers.parse if kind == "parse" else parsers.cfparse)(
        literal + draw(st.sampled_from(["", " {x}"]))
    )


@st.composite
def projects(draw: st.DrawFn) -> ProjectIndex:
    index = ProjectIndex()
    places = [
        STEPS / "a_steps.py",
        Path("/p/tests/conftest.py"),
        Path("/p/tests/sub/conftest.py"),
        MODULES[0],
    ]
    for line, matcher in enumerate(draw(st.lists(matchers(), max_size=12)), 1):
        path = draw(st.sampled_from(places))
        kind = draw(st.sampled_from(["given", "when", "then", None]))
        if draw(st.booleans()) and not isinstance(matcher, parsers.string):
            # As the index reads a project: compiled on first use.
            name = "re" if isinstance(matcher, parsers.re) else type(matcher).__name__
            flags = matcher.regex.flags if isinstance(matcher, parsers.re) else 0
            matcher = DeferredParser(name, matcher.name, flags)
        index.steps.append(ExistingStep(kind, matcher, path, line, path != MODULES[0]))
    return index


def _as_pytest_bdd_builds_it(matcher: object) -> Any:
    """The parser pytest-bdd makes from the step's decorator, flags and all."""
    if not isinstance(matcher, DeferredParser):
        return matcher
    if matcher.kind == "re":
        return parsers.re(matcher.name, matcher.flags)
    return getattr(parsers, matcher.kind)(matcher.name)


def naive(index: ProjectIndex, kind: str, text: str, module: Path) -> ExistingStep | None:
    for step in index.steps:
        visible = step.path == module or (
            step.shared and (step.path.parent == STEPS or module.is_relative_to(step.path.parent))
        )
        matcher = _as_pytest_bdd_builds_it(step.matcher)
        if visible and (step.kind is None or step.kind == kind) and matcher.is_matching(text):
            return step
    return None


@settings(max_examples=600, deadline=None)
@given(
    index=projects(),
    texts=st.lists(TEXT, min_size=1, max_size=8),
    kind=st.sampled_from(["given", "when", "then"]),
    module=st.sampled_from(MODULES),
)
def test_lookup_finds_what_a_full_scan_finds(
    index: ProjectIndex, texts: list[str], kind: str, module: Path
) -> None:
    for text in texts:
        assert index.definition_for(kind, text, module, STEPS) is naive(index, kind, text, module), text


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["string", "re"]),
    st.lists(st.sampled_from([*WORDS, r"\d+", ".*", "(?P<n>-?\\d+)", "[", "(?i)the", "$"]), max_size=4).map(
        " ".join
    ),
    st.sampled_from([0, re.IGNORECASE, re.IGNORECASE | re.UNICODE]),
    TEXT,
)
def test_string_and_re_steps_match_as_pytest_bdds_own_parsers(
    kind: str, pattern: str, flags: int, text: str
) -> None:
    ours = DeferredParser(kind, pattern, flags if kind == "re" else 0)
    try:
        theirs = parsers.string(pattern) if kind == "string" else parsers.re(pattern, flags)
    except re.error:
        assert not ours.is_matching(text)  # a pattern pytest-bdd cannot compile defines nothing
        return
    assert ours.is_matching(text) == bool(theirs.is_matching(text))


ENDINGS = [
    "", " page", "s?", r"\d*", r" (?P<n>-?\d+) left", r"\.", r"\\ page", "x{2}", "$", r"\Z",
    " (?:a|b)", " a|b", r"(?i) page", r" [pq]age", r" \w+ page", " .* page", r" page\b", r"\\\Z",
]  # fmt: skip
TAILS = ["", " page", "s", ".", "xx", " 42 left", "\\ page", "\\", " a", " b page", " PAGE", "$", "Z"]


@settings(max_examples=12, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join))
def test_a_regex_steps_literal_end_rejects_only_what_the_regex_rejects(literal: str) -> None:
    # Every ending, flag and case against texts made from the pattern's own words, so that many of
    # them match, some only just.
    for ending, flags, global_case in itertools.product(
        ENDINGS, [0, re.IGNORECASE, re.VERBOSE, re.UNICODE], [False, True]
    ):
        pattern = ("(?i)" if global_case else "") + re.escape(literal).replace("\\ ", " ") + ending
        try:
            theirs = parsers.re(pattern, flags)
        except re.error:
            theirs = None
        ours = DeferredParser("re", pattern, flags)
        for tail in TAILS:
            text = literal + tail
            expected = theirs is not None and bool(theirs.is_matching(text))
            assert ours.is_matching(text) == expected, (pattern, flags, text)
