"""User text reaches generated code only through these functions, as literals that cannot become code."""

from __future__ import annotations

import ast
import re
import textwrap
import warnings

# 79 columns (pycodestyle's default, the narrowest a project's linter is likely to keep) less a
# function body's indent: prose that black leaves as it is then passes E501 at any common length.
PROSE_WIDTH = 75


def string_literal(text: str) -> str:
    """A literal for `text` in the quotes black would choose: double, unless that needs more escapes."""
    literal = repr(text)
    if literal.startswith('"') or text.count('"') > text.count("'"):
        return literal
    if "'" not in text:
        return '"' + literal[1:-1] + '"'
    # Both quotes occur and double quotes need no more escapes than single: swap which one is escaped.
    return '"' + "".join('\\"' if ch == '"' else "'" if ch == "'" else repr(ch)[1:-1] for ch in text) + '"'


def pattern_literal(text: str) -> str:
    """The most readable literal for a regex: raw when a raw string says it exactly, else repr."""
    if _plainly_raw(text):
        return f'r"{text}"'
    for candidate in (f'r"{text}"', f"r'{text}'", f'r"""{text}"""', f"r'''{text}'''"):
        if _round_trips(candidate, text):
            return candidate
    return string_literal(text)


def _plainly_raw(body: str) -> bool:
    """Whether `r"body"` (or `rf"body"`, braces doubled) holds `body` exactly, without asking the parser.

    Inside a raw string only a double quote, a line break or a final backslash that escapes the
    closing quote can end it early or not at all; `\\N` is left to the parser (an f-string's named
    escape). Anything else printable stands for itself. Every other text is checked by parsing.
    """
    return (
        body.isprintable()
        and '"' not in body
        and "\\N" not in body
        and (len(body) - len(body.rstrip("\\"))) % 2 == 0
    )


def _round_trips(candidate: str, text: str) -> bool:
    if "\n" in text or "\r" in text:
        return False
    node = parse_expression(candidate)
    return isinstance(node, ast.Constant) and node.value == text


def parse_expression(candidate: str) -> ast.expr | None:
    """`candidate` parsed as one Python expression, or None; escape warnings are not ours to show."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(candidate, mode="eval").body
    except SyntaxError:
        return None


def docstring_body(text: str) -> str:
    """One line of text, safe inside a triple-double-quoted docstring and still readable as prose."""
    if not text.isprintable() or "\\" in text:
        text = "".join(_DOC_ESCAPES.get(ch) or (ch if ch.isprintable() else _escaped(ch)) for ch in text)
    # A quote that starts a run of three would close the docstring early.
    return _TRIPLE_QUOTE.sub('\\\\"', text) if '"""' in text else text


_DOC_ESCAPES = {"\\": "\\\\", "\t": "\t"}
_TRIPLE_QUOTE = re.compile('"(?="")')


def _escaped(ch: str) -> str:
    return ch.encode("unicode_escape").decode("ascii")


def prose_lines(text: str) -> list[str]:
    """One line of docstring prose wrapped to PROSE_WIDTH; a word longer than that (a dotted path,
    a call) stays whole, a list item's lines after its first are indented under its text, and an
    empty line stays one line."""
    if len(text) <= PROSE_WIDTH and text == text.rstrip() and not any(c in text for c in "\t\n\v\f\r"):
        return [text]  # as textwrap gives it; most lines are this short, and textwrap is slow
    hanging = "  " if text.startswith("- ") else ""
    words = text.split()
    if " ".join(words) == text:
        return _filled(words, hanging)
    return textwrap.wrap(
        text, PROSE_WIDTH, subsequent_indent=hanging, break_long_words=False, break_on_hyphens=False
    ) or [""]


def _filled(words: list[str], hanging: str) -> list[str]:
    """textwrap's greedy fill of words one space apart, without its regular expressions: a line
    takes the next word while it fits, and always takes at least one."""
    lines = []
    line = words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) <= PROSE_WIDTH:
            line += " " + word
        else:
            lines.append(line)
            line = hanging + word
    lines.append(line)
    return lines


def docstring(text: str, indent: str = "") -> str:
    """A docstring literal that black leaves exactly as it is (its docstring rules are applied here)."""
    lines = [line.rstrip() for line in text.strip().split("\n")]
    body = [docstring_body(lines[0].strip())]
    for line in map(docstring_body, lines[1:]):
        # black re-indents continuation lines to the docstring's own indent: keep theirs at ours.
        if line[:1] in (" ", "\t"):
            line = ("\\x20" if line[0] == " " else "\\t") + line[1:]
        body.append(indent + line if line else "")
    if len(body) > 1:
        return '"""' + "\n".join(body) + "\n" + indent + '"""'
    # black pads a one-line docstring that starts or ends with a quote, so the quotes stay apart.
    one = body[0]
    one = " " + one if one.startswith('"') else one
    return '"""' + one + (" " if one.endswith('"') else "") + '"""'


Segment = tuple[str, str]  # ("text", regex text) or ("name", a module constant holding regex text)


def composed_pattern(segments: list[Segment]) -> str:
    """A regex built from literal text and named module constants: an rf-string where one says it exactly."""
    if all(kind == "text" for kind, _ in segments):
        return pattern_literal("".join(value for _, value in segments))
    body = "".join(
        value.replace("{", "{{").replace("}", "}}") if kind == "text" else "{" + value + "}"
        for kind, value in segments
    )
    if _plainly_raw(body):
        return f'rf"{body}"'
    expected = "".join(value if kind == "text" else f"\0{value}\0" for kind, value in segments)
    for quote in ('"', "'", '"""', "'''"):
        candidate = f"rf{quote}{body}{quote}"
        if "\n" not in body and "\r" not in body and _joined_value(candidate) == expected:
            return candidate
    return " + ".join(string_literal(value) if kind == "text" else value for kind, value in segments)


def _joined_value(candidate: str) -> str | None:
    """What an f-string literal evaluates to, names shown as \\0NAME\\0; None if it is anything else."""
    node = parse_expression(candidate)
    if not isinstance(node, ast.JoinedStr):
        return None
    out = []
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            out.append(value.value)
        elif (
            isinstance(value, ast.FormattedValue)
            and isinstance(value.value, ast.Name)
            and value.conversion == -1
            and value.format_spec is None
        ):
            out.append(f"\0{value.value.id}\0")
        else:
            return None
    return "".join(out)
