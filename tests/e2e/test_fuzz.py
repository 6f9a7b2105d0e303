"""Property: any valid Gherkin (ten languages, Rules, Backgrounds, outlines, tables, doc strings,
hostile text) scaffolds, compiles, collects, and every scenario with a Then is red there.

CI runs 300 examples; a long run: REDPHASE_FUZZ_EXAMPLES=2000 python -m pytest tests/e2e/test_fuzz.py
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from gherkin.dialect import Dialect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import StepOutcomes, make_project, run_cli

LANGUAGES = ["en", "fr", "de", "es", "ru", "ja", "zh-CN", "ar", "em", "no"]
EXAMPLES = int(os.environ.get("REDPHASE_FUZZ_EXAMPLES", "300"))

HOSTILE = st.sampled_from(
    ['"quoted"', "'single'", "\\", "{{ x }}", "{% raw %}", '"""', "'''", '__import__("os")', "42", "-3.5", '""', "ünï",
     "<not_a_column>", "a|b", "#hash", "$dollar", "x" * 30]
)  # fmt: skip
WORD = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1, max_size=8)
TEXT = st.lists(st.one_of(WORD, HOSTILE), min_size=1, max_size=6).map(" ".join)
TAG = st.text(alphabet="abcxyz_:0123456789", min_size=1, max_size=8).map(lambda t: "@" + t)


def _keyword(keywords: list[str]) -> str:
    return next(k for k in keywords if k.strip() != "*")


@st.composite
def features(draw: st.DrawFn) -> str:
    language = draw(st.sampled_from(LANGUAGES))
    dialect = Dialect.for_name(language)
    assert dialect is not None
    kw = {
        "given": _keyword(dialect.given_keywords),
        "when": _keyword(dialect.when_keywords),
        "then": _keyword(dialect.then_keywords),
        "and": draw(st.sampled_from(dialect.and_keywords)),
    }
    lines = [f"# language: {language}"]
    lines.append(" ".join(draw(st.lists(TAG, max_size=2))))
    lines.append(f"{dialect.feature_keywords[0]}: {draw(TEXT)}")
    if draw(st.booleans()):
        lines += [f"  {dialect.background_keywords[0]}:", f"    {kw['and']}{draw(TEXT)}"]
    rules = draw(st.integers(0, 2))
    for rule in range(max(rules, 1)):
        indent = "  "
        if rules:
            lines.append(f"  {draw(st.sampled_from(dialect.rule_keywords))}: {draw(TEXT)} {rule}")
            indent = "    "
            if draw(st.booleans()):
                lines += [f"    {dialect.background_keywords[0]}:", f"      {kw['given']}{draw(TEXT)}"]
        lines += draw(scenarios(dialect, kw, indent))
    return "\n".join(lines) + "\n"


@st.composite
def scenarios(draw: st.DrawFn, dialect: Dialect, kw: dict[str, str], indent: str) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        outline = draw(st.booleans())
        columns = ["alpha", "beta"] if outline else []
        lines.append(indent + " ".join(draw(st.lists(TAG, max_size=2))))
        keyword = dialect.scenario_outline_keywords[0] if outline else dialect.scenario_keywords[0]
        lines.append(f"{indent}{keyword}: {draw(TEXT)}")
        for phase in draw(
            st.lists(st.sampled_from(["given", "when", "then", "and"]), min_size=1, max_size=4)
        ):
            text = draw(TEXT)
            if outline and draw(st.booleans()):
                text += f" <{draw(st.sampled_from(columns))}>"
            lines.append(f"{indent}  {kw[phase]}{text}")
            extra = draw(st.sampled_from(["", "", "table", "doc"]))
            if extra == "table":
                lines += [f"{indent}    | a | b |", f"{indent}    | {draw(WORD)} | {draw(WORD)} |"]
            elif extra == "doc":
                lines += [
                    f'{indent}    """',
                    f"{indent}    Feature: inner",
                    f"{indent}      Scenario: {draw(TEXT)}",
                    f'{indent}    """',
                ]
        if outline:
            for block in range(draw(st.integers(1, 2))):
                lines += [
                    f"{indent}  {dialect.examples_keywords[0]}: block {block}",
                    f"{indent}    | alpha | beta |",
                ]
                for _ in range(draw(st.integers(1, 2))):
                    lines.append(
                        f"{indent}    | {draw(st.sampled_from(['1', '-2', '3.5', 'x y', 'ünï']))} | {draw(WORD)} |"
                    )
    return lines


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=features())
def test_any_valid_feature_is_red_at_its_then_steps(pytester: pytest.Pytester, text: str) -> None:
    from gherkin.parser import Parser

    Parser().parse(text)  # the strategy only makes valid Gherkin
    root = make_project(pytester.path / f"p{abs(hash(text))}", {"fuzz.feature": text})
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output + text
    for path in Path(root, "tests").rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"))
    outcomes = StepOutcomes()
    run = pytester.runpytest_inprocess(
        str(root / "tests"), "--strict-markers", "-p", "no:cacheprovider", "-q", plugins=[outcomes]
    )
    reports = run.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    collection = [r for r in run.reprec.getreports("pytest_collectreport") if r.failed]  # type: ignore[attr-defined]
    assert not collection, text
    failed = {r.nodeid for r in reports if r.failed}
    assert {outcomes.failures[nodeid] for nodeid in failed} <= {("then", "AssertionError")}, text
    passed = {r.nodeid for r in reports if r.passed and r.when == "call"}
    assert not passed & outcomes.reached_then, text
    assert failed == outcomes.reached_then, text
