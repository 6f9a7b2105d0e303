"""User text reaches generated code only through these functions, as literals that cannot become code."""

from __future__ import annotations

import ast
import warnings


def string_literal(text: str) -> str:
    """repr, but in double quotes where that needs no extra escapes: black's choice, made up front."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        return '"' + literal[1:-1] + '"'
    return literal


def pattern_literal(text: str) -> str:
    """The most readable literal for a regex: raw when a raw string says it exactly, else repr."""
    for candidate in (f'r"{text}"', f"r'{text}'", f'r"""{text}"""', f"r'''{text}'''"):
        if _round_trips(candidate, text):
            return candidate
    return repr(text)


def _round_trips(candidate: str, text: str) -> bool:
    if "\n" in text or "\r" in text:
        return False
    node = _parse_expression(candidate)
    return isinstance(node, ast.Constant) and node.value == text


def _parse_expression(candidate: str) -> ast.expr | None:
    """`candidate` parsed as one Python expression, or None; escape warnings are not ours to show."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(candidate, mode="eval").body
    except SyntaxError:
        return None


def docstring_body(text: str, closes_on_own_line: bool = False) -> str:
    """Text safe inside a triple-double-quoted docstring, still readable as prose."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch in "\t\n":
            out.append(ch)
        elif not ch.isprintable() and ch != " ":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    text = "".join(out)
    # A quote that starts a run of three, or ends the text, would close the docstring early.
    quoted = []
    for index, ch in enumerate(text):
        if ch == '"' and (
            text[index + 1 : index + 3] == '""' or (index == len(text) - 1 and not closes_on_own_line)
        ):
            quoted.append('\\"')
        else:
            quoted.append(ch)
    return "".join(quoted)


def docstring(text: str, indent: str = "") -> str:
    # Trailing spaces go before escaping: an escaped final quote must stay the final character.
    stripped = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
    lines = docstring_body(stripped, closes_on_own_line="\n" in stripped).split("\n")
    if len(lines) == 1:
        return f'"""{lines[0]}"""'
    body = "\n".join([lines[0], *[f"{indent}{line}" if line else "" for line in lines[1:]]])
    return f'"""{body}\n{indent}"""'


Segment = tuple[str, str]  # ("text", regex text) or ("name", a module constant holding regex text)


def composed_pattern(segments: list[Segment]) -> str:
    """A regex built from literal text and named module constants: an rf-string where one says it exactly."""
    if all(kind == "text" for kind, _ in segments):
        return pattern_literal("".join(value for _, value in segments))
    body = "".join(
        value.replace("{", "{{").replace("}", "}}") if kind == "text" else "{" + value + "}"
        for kind, value in segments
    )
    expected = "".join(value if kind == "text" else f"\0{value}\0" for kind, value in segments)
    for quote in ('"', "'", '"""', "'''"):
        candidate = f"rf{quote}{body}{quote}"
        if "\n" not in body and "\r" not in body and _joined_value(candidate) == expected:
            return candidate
    return " + ".join(repr(value) if kind == "text" else value for kind, value in segments)


def _joined_value(candidate: str) -> str | None:
    """What an f-string literal evaluates to, names shown as \\0NAME\\0; None if it is anything else."""
    node = _parse_expression(candidate)
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
