"""Step text → a typed pattern: Cucumber's expression generator finds the parameters, we emit the regex.

pytest-bdd has no Cucumber-expression parser, so each pattern is rendered as `parsers.re` with named
groups whose regexes are Cucumber's own for {int}, {float} and {string}. Outline `<placeholders>` become
named groups typed from their Examples values.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from redphase.frozen import frozen
from redphase.identifiers import identifier, shorten
from redphase.parse.model import Scenario
from redphase.plan.memo import Memo
from redphase.plan.param_names import RESERVED, ParamType, word_name

INT_REGEX = r"-?\d+"
FLOAT_REGEX = r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[E][+-]?\d+)?"
STRING_REGEX = r""""[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*'"""
TEXT_REGEX = r".*"
# Generated step modules name the long regexes once, as module constants, and build patterns from them.
CONSTANT_BY_TYPE = {"int": "INT", "float": "FLOAT", "string": "STRING"}
REGEX_BY_CONSTANT = {"INT": INT_REGEX, "FLOAT": FLOAT_REGEX, "STRING": STRING_REGEX}

REGEX_BY_TYPE: dict[ParamType, str] = {
    "int": INT_REGEX,
    "float": FLOAT_REGEX,
    "string": STRING_REGEX,
    "text": TEXT_REGEX,
}
PYTHON_TYPE: dict[ParamType, str] = {"int": "int", "float": "float", "string": "str", "text": "str"}
PLACEHOLDER = re.compile(r"<(.+?)>")


@frozen
class Param:
    name: str
    type: ParamType
    # "text": found by Cucumber's generator in the step text; "placeholder": an outline <column>.
    origin: Literal["text", "placeholder"]
    placeholder: str = ""

    @property
    def regex(self) -> str:
        return REGEX_BY_TYPE[self.type]

    @property
    def python_type(self) -> str:
        return PYTHON_TYPE[self.type]


@frozen
class RegexPart:
    """Literal regex text, or a named group whose regex is a shared constant or written inline."""

    text: str = ""
    group: str = ""
    constant: str = ""

    @property
    def regex(self) -> str:
        if not self.group:
            return self.text
        return f"(?P<{self.group}>{REGEX_BY_CONSTANT[self.constant] if self.constant else self.text})"


@frozen
class StepPattern:
    # A Cucumber-style pattern, readable and stable: it is half of a step definition's identity.
    expression: str
    parts: tuple[RegexPart, ...]
    params: tuple[Param, ...]
    # Made with the pattern, wherever that is (see plan.ahead): every use of every step asks for it.
    regex: str


# A step text and the Examples columns it uses: all that its pattern depends on.
PatternKey = tuple[str, tuple[tuple[str, tuple[str, ...]], ...], bool]
# Where each Cucumber parameter is in a step's text: (type, start, end) of each.
Parameters = tuple[tuple[ParamType, int, int], ...]


def pattern_for(
    text: str, columns: Mapping[str, Sequence[str]] | None = None, language: str = "en"
) -> StepPattern:
    """`columns` maps each outline placeholder to the values its Examples give it."""
    return _pattern_for(*pattern_key(text, columns, language), matchers=_snippet_matchers())


class Patterns:
    """`pattern_for`, remembered for the one run that owns this: a step text recurs in many scenarios.

    Texts that differ only in their numbers ("shows 3 results", "shows 12 results") share one
    pattern whenever every number is a parameter: which parts Cucumber takes for parameters, and
    of what type, depends on where runs of digits are, never on which digits or how many, and a
    name depends on digits only through a word that holds some ("v2", "E5"), which gives a name
    with digits. So a pattern with no digit in its expression or its names serves every text of
    the same shape.
    """

    def __init__(self) -> None:
        self._matchers = _snippet_matchers()
        self._by_shape: dict[PatternKey, StepPattern] = {}
        self._patterns: Memo[PatternKey, StepPattern] = Memo(self._worked_out)

    def _worked_out(self, key: PatternKey) -> StepPattern:
        text, columns, english = key
        shape = _DIGIT_RUN.sub("0", text)
        if shape == text:
            return _pattern_for(*key, matchers=self._matchers)
        shaped = (shape, columns, english)
        pattern = self._by_shape.get(shaped)
        if pattern is None:
            pattern, digit_names = _pattern_and_names(*key, matchers=self._matchers)
            if (
                not digit_names
                and not _DIGIT_RUN.search(pattern.expression)
                and len(self._by_shape) < _SHAPES
            ):
                self._by_shape[shaped] = pattern
        return pattern

    def __call__(
        self, text: str, columns: Mapping[str, Sequence[str]] | None = None, language: str = "en"
    ) -> StepPattern:
        return self._patterns(pattern_key(text, columns, language))

    def of_key(self, key: PatternKey) -> StepPattern:
        return self._patterns(key)


def example_columns(scenario: Scenario) -> dict[str, list[str]]:
    """Each outline column and the values its Examples rows give it, in order."""
    columns: dict[str, list[str]] = {}
    for examples in scenario.examples:
        for row in examples.rows:
            for header, value in zip(examples.header, row, strict=False):
                columns.setdefault(header, []).append(value)
        for header in examples.header:
            columns.setdefault(header, [])
    return columns


def pattern_key(
    text: str, columns: Mapping[str, Sequence[str]] | None = None, language: str = "en"
) -> PatternKey:
    used = tuple(
        (name, tuple(values)) for name, values in sorted((columns or {}).items()) if f"<{name}>" in text
    )
    # Parameters are named from English words; in other languages, from the unit after a number only.
    return (text, used, language.split("-")[0] == "en")


def _pattern_for(
    text: str,
    column_items: tuple[tuple[str, tuple[str, ...]], ...],
    english: bool,
    *,
    matchers: _Matchers,
) -> StepPattern:
    return _pattern_and_names(text, column_items, english, matchers=matchers)[0]


def _pattern_and_names(
    text: str,
    column_items: tuple[tuple[str, tuple[str, ...]], ...],
    english: bool,
    *,
    matchers: _Matchers,
) -> tuple[StepPattern, bool]:
    """The pattern, and whether a parameter was named from a word with digits in it (the counter
    that keeps names apart is not such a word)."""
    columns = dict(column_items)
    digit_names = False
    holes = [match for match in PLACEHOLDER.finditer(text) if match.group(1) in columns]
    # Cucumber reads the whole text, placeholders included, as it would read each row's text: the
    # quotes around `"<email>"` make one {string} with the placeholder inside, and the text between
    # two quoted placeholders is never a {string} of its own. A parameter over a placeholder is
    # dropped; the placeholder's own group stands there.
    found = [
        (kind, start, end)
        for kind, start, end in _cucumber_parameters(text, matchers)
        if not any(start < hole.end() and hole.start() < end for hole in holes)
    ]
    expression: list[str] = []
    regex: list[RegexPart] = []
    params: list[Param] = []
    used: set[str] = set(RESERVED)
    position = 0
    stretch_start = 0
    for hole in [*holes, None]:
        stretch_end = hole.start() if hole is not None else len(text)
        for kind, start, end in found:
            if start < stretch_start or end > stretch_end:
                continue
            _literal(text[position:start], expression, regex)
            # Named from the words of its own stretch: a placeholder's column name is no word of the step.
            before, after = text[stretch_start:start], text[end:stretch_end]
            base = word_name(before, after, kind, english)
            digit_names = digit_names or _DIGIT_RUN.search(base) is not None
            name = _unique(base, used)
            params.append(Param(name, kind, "text"))
            expression.append("{" + kind + "}")
            regex.append(RegexPart(group=name, constant=CONSTANT_BY_TYPE[kind]))
            position = end
        _literal(text[position:stretch_end], expression, regex)
        if hole is None:
            break
        column = hole.group(1)
        name = _unique(shorten(identifier(column, fallback="value"), 40), used)
        kind = _type_of_values(columns[column])
        params.append(Param(name, kind, "placeholder", column))
        expression.append(f"<{column}>")
        if kind == "text" and columns[column] and not _anchored(text):
            values = sorted(set(columns[column]), key=lambda value: (-len(value), value))
            regex.append(RegexPart("|".join(_escape_regex(value) for value in values), name))
        elif kind == "text":
            regex.append(RegexPart(TEXT_REGEX, name))
        else:
            regex.append(RegexPart(group=name, constant=CONSTANT_BY_TYPE[kind]))
        position = stretch_start = hole.end()
    pattern = StepPattern(
        "".join(expression), tuple(regex), tuple(params), "".join(part.regex for part in regex)
    )
    return pattern, digit_names


def _anchored(text: str) -> bool:
    """Whether the text has words of its own. A step that is nothing but placeholders would match
    every step of its type as `.*`: such placeholders match exactly their Examples values instead."""
    return len(_ALNUM.findall(PLACEHOLDER.sub("", text), 0)) >= 3


_ALNUM = re.compile(r"[^\W_]")


def _literal(text: str, expression: list[str], regex: list[RegexPart]) -> None:
    if text:
        expression.append(_escape_expression(text))
        regex.append(RegexPart(_escape_regex(text)))


def _cucumber_parameters(segment: str, matchers: _Matchers | None = None) -> Parameters:
    """(type, start, end) of each parameter, chosen exactly as Cucumber's snippet generator chooses them.

    This is the generator's own loop over its own parameter types, regexes and preference order, kept
    to the first (preferred) expression and its positions. Its matchers re-search a fresh copy of the
    rest of the text from every position; `_next_whole_word` finds the same match in one pass.
    """
    # Every snippet type needs a digit or a quote; most words of most steps have neither.
    if not _DIGIT_OR_QUOTE.search(segment):
        return ()
    found: list[tuple[ParamType, int, int]] = []
    matchers = matchers or _snippet_matchers()
    upcoming: list[tuple[int, int] | None] = [(-1, -1)] * len(matchers)
    position = 0
    while position < len(segment):
        for index, (_, regex, _) in enumerate(matchers):
            span = upcoming[index]
            if span is not None and span[0] < position:
                upcoming[index] = _next_whole_word(regex, segment, position)
        spans = [span for span in upcoming if span is not None]
        if not spans:
            break
        # Cucumber's order: the earliest start, then the longest match; ties go to the preferred type.
        best = min(spans, key=lambda span: (span[0], span[0] - span[1]))
        name = min(
            (matchers[i] for i, span in enumerate(upcoming) if span == best), key=lambda matcher: matcher[2]
        )[0]
        kind = _EMITTED.get(name)
        if kind is not None:
            found.append((kind, best[0], best[1]))
        position = best[1]
    return tuple(found)


_DIGIT_OR_QUOTE = re.compile(r"[\d\"']")
_DIGIT_RUN = re.compile(r"\d+")
_SHAPES = 65536  # as the memo's own bound
# The snippet types a pattern keeps; the others only take their text out of the running.
_EMITTED: dict[str, ParamType] = {"int": "int", "float": "float", "string": "string"}


def _next_whole_word(regex: re.Pattern[str], text: str, position: int) -> tuple[int, int] | None:
    """The first non-empty match starting at or after `position` that is not part of a longer word.

    Cucumber's regexes have no anchors or look-behind, so a match found from `position` is the one a
    search of `text[position:]` finds, and a rejected match can be skipped past at once.
    """
    while position < len(text):
        match = regex.search(text, position)
        if match is None:
            return None
        start, end = match.span()
        whole = (start == 0 or not text[start - 1].isalnum()) and (
            end == len(text) or not text[end].isalnum()
        )
        if end > start and whole:
            return start, end
        position = start + 1
    return None


# Each snippet type's name, one of its regexes as the generator compiles it, and its rank in
# Cucumber's preference order (ParameterType.compare).
_Matchers = tuple[tuple[str, re.Pattern[str], int], ...]


@functools.cache
def _snippet_matchers() -> _Matchers:
    """Cucumber's parameter types used for snippets, each regex as its generator compiles it.

    Made once per process: they are constants, and verify's hints ask for a pattern per step."""
    from cucumber_expressions.parameter_type import ParameterType
    from cucumber_expressions.parameter_type_registry import ParameterTypeRegistry

    types = [t for t in ParameterTypeRegistry().parameter_types if t.use_for_snippets]
    ranked = sorted(types, key=functools.cmp_to_key(ParameterType.compare))
    return tuple(
        (parameter_type.name, re.compile(f"({regexp})"), ranked.index(parameter_type))
        for parameter_type in types
        for regexp in parameter_type.regexps
    )


def _type_of_values(values: Iterable[str]) -> ParamType:
    values = list(values)
    if values and all(re.fullmatch(INT_REGEX, value) for value in values):
        return "int"
    if values and all(re.fullmatch(FLOAT_REGEX, value) for value in values):
        return "float"
    return "text"


def _escape_expression(text: str) -> str:
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("(", "\\(").replace("/", "\\/")


def _escape_regex(text: str) -> str:
    # re.escape also escapes spaces, which are literal without re.VERBOSE and unreadable escaped.
    return re.escape(text).replace("\\ ", " ")


def _unique(base: str, used: set[str]) -> str:
    name, counter = base, 2
    while name in used:
        name, counter = f"{base}{counter}", counter + 1
    used.add(name)
    return name


def unquote(text: str) -> str:
    """Cucumber's {string}: the text between the quotes, with escaped quotes undone."""
    quote = text[0]
    return text[1:-1].replace("\\" + quote, quote)


def convert(param: Param, raw: str) -> object:
    """What the generated step function receives for `raw`: mirrors the converters we render."""
    if param.type == "int":
        return int(raw)
    if param.type == "float":
        return float(raw)
    if param.type == "string":
        return unquote(raw)
    return raw
