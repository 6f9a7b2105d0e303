"""Finding a definition planned earlier in the run by prefix look-up gives what trying each one gave."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redphase.config import load_config
from redphase.parse.reader import parse_source
from redphase.plan import planner
from redphase.plan.expressions import pattern_for
from redphase.plan.model import StepDefinition
from redphase.plan.planner import Planner, _RunState
from redphase.project.index import ProjectIndex
from tests.conftest import make_project

TEMPLATES = [
    "the cart has {} items",
    "I pay {} for {}",
    "{} users see {}",
    "the (big) total is {}",
    "ünïcode {}",
]


def tried_one_by_one(kind: str, samples: list[str], state: _RunState) -> StepDefinition | None:
    """The search before prefix look-up: every parametrised definition of the text's groups in turn."""
    planned = [d for d in state.definitions.values() if d.kind == kind and d.params]
    words = sorted({sample.split(" ", 1)[0] for sample in samples})
    candidates = [d for word in [*words, ""] for d in planned if planner._first_word(d) == word]
    for definition in candidates:
        if all(sample.startswith(definition.literal_prefix) for sample in samples) and all(
            definition.compiled.fullmatch(sample) for sample in samples
        ):
            return definition
    return None


def step_text(rng: random.Random) -> str:
    values = [
        str(rng.randint(-5, 50)),
        f"{rng.randint(0, 9)}.{rng.randint(0, 9)}",
        f'"{rng.choice(["a b", "x", ""])}"',
        rng.choice(["many", "few", "(some)"]),
    ]
    template = rng.choice(TEMPLATES)
    return template.format(*(rng.choice(values) for _ in range(template.count("{}"))))


def compared_planning(seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """Plan a generated feature, checking every search against the old one: (samples, found) each."""
    rng = random.Random(seed)
    lines = ["Feature: Generated"]
    for number in range(12):
        outline = number % 3 == 2
        lines.append(f"  {'Scenario Outline' if outline else 'Scenario'}: Case {number}")
        for index in range(6):
            text = step_text(rng)
            if outline and index % 2:
                text = text.replace("many", "<amount>").replace("few", "<amount>")
            lines.append(f"    {['Given', 'When', 'Then'][index % 3]} {text}")
        if outline:
            lines += ["    Examples:", "      | amount |"]
            lines += [f"      | {rng.choice(['1', '-2', '3.5', '7'])} |" for _ in range(rng.randint(1, 3))]
    source = "\n".join(lines) + "\n"
    root = make_project(tmp_path / "p", {"generated.feature": source})
    file = parse_source(source, root / "features" / "generated.feature", "features/generated.feature")
    assert not isinstance(file, list)
    looked_up = planner._planned_match
    compared = []

    def both(kind: str, samples: list[str], state: _RunState) -> StepDefinition | None:
        found = looked_up(kind, samples, state)
        assert found is tried_one_by_one(kind, samples, state)
        compared.append((len(samples), found is not None))
        return found

    monkeypatch.setattr(planner, "_planned_match", both)
    Planner(load_config(root), ProjectIndex()).add(file)
    return compared


@pytest.mark.parametrize("seed", range(40))
def test_prefix_look_up_finds_what_trying_each_definition_finds(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = compared_planning(seed, tmp_path, monkeypatch)
    assert any(hit for _, hit in compared)  # some texts did match a definition planned for another


def test_outline_steps_are_compared_with_every_examples_row_too(tmp_path: Path) -> None:
    calls = []
    for seed in range(40):
        with pytest.MonkeyPatch.context() as monkeypatch:
            calls += compared_planning(seed, tmp_path / str(seed), monkeypatch)
    assert any(samples > 1 and hit for samples, hit in calls)


WORDS = ["the", "cart", " ", "5", "-3", "2.5", '"a b"', "'x'", "-", "(s)", "\\", "<n>", "é"]
PIECES = st.sampled_from([*WORDS, ".*", "[a]", "|", "\n", "$^+?{}", "\t"])
VALUES = st.lists(st.sampled_from(["", "1", "a b", "\\", ".*", "<n>", '"q"', "\n"]), min_size=1, max_size=3)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(PIECES, min_size=1, max_size=8).map("".join),
    st.lists(PIECES, max_size=8).map("".join),
    VALUES,
)
def test_a_text_the_regex_matches_is_never_ruled_out_by_the_literal_runs(
    pattern_text: str, other: str, values: list[str]
) -> None:
    # An outline's <n> takes its Examples values: a group of those values, not a typed parameter.
    columns = {"n": values} if "<n>" in pattern_text else None
    pattern = pattern_for(pattern_text, columns)
    definition = StepDefinition(
        "given", pattern.expression, pattern.parts, pattern.params, "f", False, False, (), "x:1"
    )
    samples = [pattern_text.replace("<n>", value) for value in values]
    for text in (pattern_text, other, pattern_text + other, other + pattern_text, *samples):
        if definition.compiled.fullmatch(text):
            assert definition.could_match(text), (definition.regex, text)
