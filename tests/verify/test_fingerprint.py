"""The test-code fingerprint: formatting, comments, docstrings and local names do not count."""

from __future__ import annotations

import ast
import textwrap

import pytest

from redphase.verify.testcode import function_index, normalise

BASE = """
def _(system, text):
    expected = text
    observed = system.observe("a welcome email is sent to {string}", text=text)
    assert observed == expected, system.mismatch(expected, observed)
"""


def _digest(source: str) -> str:
    [node] = ast.parse(textwrap.dedent(source)).body
    assert isinstance(node, ast.FunctionDef)
    return normalise(node)[0]


@pytest.mark.parametrize(
    "same",
    [
        BASE.replace(
            "    expected = text\n", "    # the expectation\n    expected = text  # from the step\n"
        ),
        BASE.replace("def _(system, text):\n", 'def _(system, text):\n    """Then a welcome email."""\n'),
        BASE.replace("observed", "seen"),
        BASE.replace(
            'system.observe("a welcome email is sent to {string}", text=text)',
            '(\n        system.observe(\n            "a welcome email is sent to {string}",\n'
            "            text=text,\n        )\n    )",
        ),
    ],
    ids=["comments", "docstring", "local-renamed", "reformatted"],
)
def test_what_does_not_count(same: str) -> None:
    assert _digest(same) == _digest(BASE)


@pytest.mark.parametrize(
    "changed",
    [
        BASE.replace("observed == expected", "observed is not None or expected"),
        BASE.replace("expected = text", "expected = text.lower()"),
        BASE.replace("text=text", "text=text, strict=False"),
        BASE.replace("def _(system, text)", "def _(system, text2)").replace("text=text", "text=text2"),
        BASE.replace("    assert observed == expected, system.mismatch(expected, observed)\n", "    pass\n"),
    ],
    ids=["loosened", "expected", "argument", "parameter-renamed", "emptied"],
)
def test_what_does(changed: str) -> None:
    assert _digest(changed) != _digest(BASE)


def test_functions_sharing_a_name_are_told_apart_by_their_decorator(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "test_steps.py"
    path.write_text(
        "@given('a')\ndef _():\n    pass\n\n@then('b')\ndef _():\n    pass\n\n"
        "class Harness:\n    def observe(self):\n        def inner():\n            return 1\n        return inner()\n",
        encoding="utf-8",
    )
    assert sorted(function_index(path, "test_steps.py")) == [
        "test_steps.py::Harness.observe",
        "test_steps.py::Harness.observe.<locals>.inner",
        "test_steps.py::_[given('a')]",
        "test_steps.py::_[then('b')]",
    ]


def test_each_function_as_it_ran_resolves_to_its_key(tmp_path: object) -> None:
    """Where tests run, functions are recorded by file, qualname and first line (no parsing);
    where reports arrive, that names the same key the syntax tree gives."""
    from pathlib import Path
    from types import CodeType

    from redphase.verify.testcode import code_identity, resolve_key

    path = Path(str(tmp_path)) / "test_steps.py"
    path.write_text(
        "def given(text):\n    return lambda function: function\n\n"
        "@given('a')\ndef _():\n    pass\n\n@given('b')\ndef _():\n    pass\n\n"
        "def twice():\n    pass\n\ndef twice():\n    pass\n\n"
        "class Harness:\n    def observe(self):\n        def inner():\n            return 1\n        return inner()\n",
        encoding="utf-8",
    )
    compiled = compile(path.read_text(encoding="utf-8"), str(path), "exec")

    def functions(code: CodeType) -> list[CodeType]:
        found = [const for const in code.co_consts if isinstance(const, CodeType)]
        return [inner for const in found for inner in [const, *functions(const)]]

    index = function_index(path, "test_steps.py")
    first_lines = {key: source.first_line for key, source in index.items()}
    keys = [
        resolve_key(code_identity("test_steps.py", code.co_qualname, code.co_firstlineno), first_lines)
        for code in functions(compiled)
        if not code.co_qualname.rsplit(".", 1)[-1].startswith("<")
    ]
    assert sorted(key for key in keys if key is not None) == sorted(index)
    assert resolve_key(code_identity("test_steps.py", "gone", 1), first_lines) is None
