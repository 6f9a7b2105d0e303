"""Property: the Python scaffold renders is already black's output wherever it says so.

scaffold skips black for a file the renderer marks exact (see render.shapes). These tests hold that
claim against black itself, on every kind of file scaffold writes and on generated Gherkin with long,
wide, quoted and hostile text. A long run: REDPHASE_FUZZ_EXAMPLES=2000 python -m pytest tests/unit
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import black
import pytest
from gherkin.parser import Parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import redphase.pipeline
from redphase.config import load_config
from redphase.formatter_settings import Formatting
from redphase.render import renderer
from redphase.render.formatting import HAND_LAYOUT_LINE_LENGTHS, hand_layout_holds
from redphase.render.renderer import Python
from redphase.scaffold import scaffold
from tests.conftest import CORPUS, DATA, make_project
from tests.e2e import test_fuzz

# The configurations render.formatting.hand_layout_holds claims: black's defaults at 88 columns, with
# the targets inferred or Python 3.8 and later, with and without string normalization and the magic
# trailing comma. .ci/run also runs these tests on the oldest black pyproject.toml allows.
MODES = (
    black.Mode(),
    black.Mode(target_versions={black.TargetVersion.PY311}),
    black.Mode(
        target_versions={black.TargetVersion.PY38},
        string_normalization=False,
        magic_trailing_comma=False,
    ),
)
# The other line lengths it claims (HAND_LAYOUT_LINE_LENGTHS), each rendered for and held against black at it.
LENGTHS = [length for length in HAND_LAYOUT_LINE_LENGTHS if length != 88]


def modes_at(length: int) -> tuple[black.Mode, ...]:
    return MODES if length == 88 else tuple(replace(mode, line_length=length) for mode in MODES)


def project_at(root: Path, length: int) -> Path:
    """The project configures black at `length` (black's default needs no configuration)."""
    if length != 88:
        with (root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
            pyproject.write(f"\n[tool.black]\nline-length = {length}\n")
    return root


EXAMPLES = int(os.environ.get("REDPHASE_FUZZ_EXAMPLES", "60"))

# Beyond the end-to-end fuzz text: any printable character (wide, combining, astral) and long words
# that force every call to split and every literal to overflow.
ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="|\\#@<>"),
    min_size=1,
    max_size=12,
)
LONG_TEXT = st.lists(
    st.one_of(test_fuzz.WORD, test_fuzz.HOSTILE, ANY_TEXT, st.just("y" * 60), st.just("語" * 30)),
    min_size=1,
    max_size=10,
).map(" ".join)


HARNESS_FILES = ("conftest.py", "test_harness_health.py")


def rendered_python(root: Path, monkeypatch: pytest.MonkeyPatch, harness: bool = True) -> list[Python]:
    """What the renderer handed to the formatting stage in a dry run of scaffold (without the
    harness's fixed files when `harness` is false)."""
    seen: list[Python] = []
    add = redphase.pipeline._Output.add

    def capture(output: redphase.pipeline._Output, texts: dict[Path, object]) -> None:
        seen.extend(
            text.rendered
            for path, text in texts.items()
            if isinstance(text, redphase.pipeline._Python) and (harness or path.name not in HARNESS_FILES)
        )
        add(output, texts)  # type: ignore[arg-type]

    monkeypatch.setattr(redphase.pipeline._Output, "add", capture)
    result = scaffold(load_config(root), [], dry_run=True, use_cache=False)
    assert not result.has_errors, [d.render() for d in result.diagnostics]
    return seen


def unstable(rendered: list[Python], modes: tuple[black.Mode, ...] = MODES) -> list[str]:
    """Exact sources black would change, with black's version of the first lines that differ."""
    out = []
    for python in rendered:
        for mode in modes if python.exact else ():
            formatted = black.format_str(python.source, mode=mode)
            if formatted != python.source:
                out.append(_first_difference(python.source, formatted))
                break
    return out


def _first_difference(ours: str, theirs: str) -> str:
    pairs = itertools.zip_longest(ours.splitlines(), theirs.splitlines(), fillvalue="")
    for number, (left, right) in enumerate(pairs, 1):
        if left != right:
            return f"line {number}: ours {left!r}, black's {right!r}"
    return "trailing lines differ"


def test_the_hand_layout_is_claimed_for_this_black() -> None:
    # CI runs these tests on the newest black and the oldest allowed: both must be in the claimed range.
    assert hand_layout_holds(Formatting()), black.__version__


@pytest.mark.parametrize("length", HAND_LAYOUT_LINE_LENGTHS)
def test_the_official_corpus_renders_exact_and_as_black(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, length: int
) -> None:
    root = project_at(make_project(tmp_path / "p", sorted((CORPUS / "good").glob("*.feature"))), length)
    rendered = rendered_python(root, monkeypatch, harness=length == 88)
    assert len(rendered) > 60
    assert all(python.exact for python in rendered)
    assert unstable(rendered, modes_at(length)) == []


@pytest.mark.parametrize("length", HAND_LAYOUT_LINE_LENGTHS)
def test_hostile_text_renders_as_black(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, length: int) -> None:
    root = project_at(make_project(tmp_path / "p", [DATA / "hostile.feature"]), length)
    rendered = rendered_python(root, monkeypatch, harness=length == 88)
    assert all(python.exact for python in rendered)
    assert unstable(rendered, modes_at(length)) == []


def conftest_variants() -> Iterator[Python]:
    names = [name for _, name, _, _ in renderer.CONFTEST_IMPORTS if name]
    yield renderer.conftest(True, True, standalone=True)
    for with_harness, with_plumbing in ((True, True), (True, False), (False, True)):
        for size in range(len(names) + 1):
            for present in itertools.combinations(names, size):
                yield renderer.conftest(with_harness, with_plumbing, standalone=False, present=present)
    # A conftest with hooks of its own: ours are registered beside them, under names of their own.
    for size in range(1, len(renderer.PLUMBING_HOOKS) + 1):
        for hooks in itertools.combinations(renderer.PLUMBING_HOOKS, size):
            for with_harness in (True, False):
                yield renderer.conftest(with_harness, True, standalone=False, present=hooks)


def test_every_conftest_and_health_module_is_black(tmp_path: Path) -> None:
    full, *variants = conftest_variants()
    assert unstable([full, renderer.health_module("conftest")]) == []
    # The variants differ from the full conftest only in their imports and in how their hooks are
    # named: one mode is enough for them.
    assert unstable(variants, MODES[:1]) == []


@pytest.mark.parametrize("length", LENGTHS)
def test_the_fixed_harness_is_left_to_black_at_other_lengths(length: int) -> None:
    # Its hand-split signatures are black's at 88 columns only; at another length black joins them.
    assert not renderer.conftest(True, True, standalone=True, line_length=length).exact
    assert not renderer.health_module("conftest", length).exact


@pytest.mark.parametrize("length", HAND_LAYOUT_LINE_LENGTHS)
def test_chunks_appended_to_a_persons_files_are_black(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, length: int
) -> None:
    first = "Feature: Shop\n  Scenario: Buy\n    Given a cart with 2 items\n    Then the total is 5\n"
    root = project_at(make_project(tmp_path / "p", {"shop.feature": first}), length)
    scaffold(load_config(root), [], use_cache=False)
    module = root / "tests" / "step_defs" / "shop_steps.py"
    module.write_text(module.read_text(encoding="utf-8").replace("parsers, ", ""), encoding="utf-8")
    more = first + '  Scenario: Redeem\n    When the customer redeems "X" at 3.5\n    Then the total is 4\n'
    (root / "features" / "shop.feature").write_text(more, encoding="utf-8")
    rendered = rendered_python(root, monkeypatch)
    assert any(python.source.startswith("from pytest_bdd import parsers") for python in rendered)
    assert all(python.exact for python in rendered)
    assert unstable(rendered, modes_at(length)) == []


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_feature_renders_as_black_where_it_claims_to(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    monkeypatch.setattr(test_fuzz, "TEXT", LONG_TEXT)
    text = data.draw(test_fuzz.features())
    length = data.draw(st.sampled_from(HAND_LAYOUT_LINE_LENGTHS))
    Parser().parse(text)
    root = project_at(make_project(tmp_path_factory.mktemp("p"), {"fuzz.feature": text}), length)
    rendered = rendered_python(root, monkeypatch)
    assert unstable(rendered, modes_at(length)) == [], (text, length)
