"""The undefined-step hint's code is pasted as it is: it must run and match the step it was made for."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd.steps import StepFunctionContext

from redphase.verify.hints import undefined_step_hint


def _pasted(text: str, kind: str = "given") -> StepFunctionContext:
    hint = undefined_step_hint({"type": kind, "text": text})
    code = hint.split("\n", 1)[1]
    namespace: dict[str, Any] = {}
    exec(compile(code, "pasted_hint.py", "exec"), namespace)
    from pytest_bdd.steps import step_function_context_registry

    [context] = [
        context
        for context in list(step_function_context_registry.values())
        if context.step_func is namespace.get(context.step_func.__name__)
    ]
    assert isinstance(context, StepFunctionContext)
    return context


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('the name "Flic" has 3 letters and 2.5 marks', {"name": "Flic", "letters": 3, "marks": 2.5}),
        ("the basket holds -4 apples", {"count": -4}),
        ("a step with no parameters", {}),
    ],
)
def test_the_pasted_definition_matches_its_step_and_converts_each_value(
    text: str, expected: dict[str, object]
) -> None:
    context = _pasted(text)
    assert context.parser.is_matching(text)
    arguments = context.parser.parse_arguments(text) or {}
    converted = {name: context.converters.get(name, str)(value) for name, value in arguments.items()}
    assert [(value, type(value)) for value in converted.values()] == [
        (value, type(value)) for value in expected.values()
    ]
