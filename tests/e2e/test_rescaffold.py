"""Acceptance 4: re-scaffolding adds only what is missing and never touches a person's text."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, StepOutcomes, keeps_every_line, make_project, run_cli, snapshot

CHECKOUT = """\
Feature: Checkout
  Scenario: Paying by card
    Given a customer with 3 items in the basket
    When the customer pays 12.50 by card
    Then an email receipt is sent to "ann@example.com"
"""
REFUND = """\
Feature: Refunds
  Scenario: Refund after return
    Given a customer with 3 items in the basket
    When the customer returns 1 item
    Then a refund of 4.25 is issued
"""


def _definitions(root: Path, pattern: str) -> int:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (root / "tests" / "step_defs").glob("*.py"))
    return len(re.findall(pattern, text))


def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"checkout.feature": CHECKOUT})
    assert run_cli("scaffold", cwd=root).exit_code == 0
    before = snapshot(root)
    again = run_cli("scaffold", cwd=root)
    assert again.exit_code == 0
    assert "nothing changed since the last run" in again.output
    assert snapshot(root) == before
    shutil.rmtree(root / ".redphase_cache")
    uncached = run_cli("scaffold", cwd=root)
    assert "0 files changed" in uncached.output
    assert snapshot(root / "tests") == {
        k.removeprefix("tests/"): v for k, v in before.items() if k.startswith("tests/")
    }
    assert run_cli("scaffold", "--check", cwd=root).exit_code == 0


def test_hand_edits_survive_and_only_new_steps_are_added(
    pytester: pytest.Pytester, outcomes: StepOutcomes
) -> None:
    root = make_project(pytester.path, {"checkout.feature": CHECKOUT})
    assert run_cli("scaffold", cwd=root).exit_code == 0
    steps = root / "tests" / "step_defs" / "checkout_steps.py"
    original = steps.read_text(encoding="utf-8")
    body = original.index(
        '"""', original.index('"""', original.index("def when_the_customer_pays_by_card")) + 3
    )
    edited = (
        original[: body + 3] + "\n    hand_written = 'kept'  # a person's own line" + original[body + 3 :]
    )
    assert "hand_written = 'kept'" in edited
    steps.write_text(edited, encoding="utf-8")

    (root / "features" / "checkout.feature").write_text(
        CHECKOUT + "\n  Scenario: Paying by voucher\n    Given a customer with 1 items in the basket\n"
        '    When the customer redeems voucher "SPRING"\n    Then an email receipt is sent to "bo@example.com"\n',
        encoding="utf-8",
    )
    check = run_cli("scaffold", "--check", cwd=root)
    assert check.exit_code == 1
    assert "would append to tests/step_defs/checkout_steps.py" in check.output

    assert run_cli("scaffold", cwd=root).exit_code == 0
    after = steps.read_text(encoding="utf-8")
    assert after.startswith(edited)
    added = after[len(edited) :]
    assert "def when_the_customer_redeems_voucher(" in added
    assert "given_a_customer_with" not in added, "an existing step was defined again"
    assert run_cli("scaffold", "--check", cwd=root).exit_code == 0

    run = pytester.runpytest_inprocess(
        "tests", "--strict-markers", "-p", "no:cacheprovider", plugins=[outcomes]
    )
    run.assert_outcomes(failed=2, passed=2)
    assert set(outcomes.failures.values()) == {("then", "AssertionError")}


def test_a_given_shared_by_two_features_is_defined_once(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"checkout.feature": CHECKOUT, "refund.feature": REFUND})
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert _definitions(root, r"@given\(") == 1
    assert _definitions(root, r"def given_a_customer_with_items_in_the_basket\(") == 1


def test_a_given_shared_across_runs_is_defined_once(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"checkout.feature": CHECKOUT})
    assert run_cli("scaffold", cwd=root).exit_code == 0
    (root / "features" / "refund.feature").write_text(REFUND, encoding="utf-8")
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert _definitions(root, r"def given_a_customer_with_items_in_the_basket\(") == 1
    assert not (root / "tests" / "step_defs" / "refund_steps.py").read_text(encoding="utf-8").count("@given")


def test_the_same_text_under_given_and_when_gives_two_definitions(tmp_path: Path) -> None:
    feature = (
        "Feature: f\n  Scenario: s\n    Given the door opens\n    When the door opens\n    Then it is open\n"
    )
    root = make_project(tmp_path, {"door.feature": feature})
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert _definitions(root, r"def given_the_door_opens\(") == 1
    assert _definitions(root, r"def when_the_door_opens\(") == 1


def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"checkout.feature": CHECKOUT})
    before = snapshot(root)
    result = run_cli("scaffold", "--diff", cwd=root)
    assert result.exit_code == 1
    assert "+++ b/tests/test_checkout.py" in result.output
    assert '+@scenario(FEATURE, "Paying by card")' in result.output
    assert snapshot(root) == before


def test_steps_a_person_wrote_with_any_parser_are_reused(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"checkout.feature": CHECKOUT})
    (root / "tests").mkdir()
    (root / "tests" / "conftest.py").write_text(
        "from pytest_bdd import given, parsers, then, when\n\n\n"
        "@given(parsers.parse('a customer with {count:d} items in the basket'))\n"
        "def basket(count):\n    pass\n\n\n"
        "@when(parsers.cfparse('the customer pays {amount:f} by card'))\n"
        "def pays(amount):\n    pass\n\n\n"
        '@then(parsers.re(r\'an email receipt is sent to "(?P<to>[^"]+)"\'))\n'
        "def receipt(to):\n    pass\n",
        encoding="utf-8",
    )
    mine = (root / "tests" / "conftest.py").read_text(encoding="utf-8")
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    assert not (root / "tests" / "step_defs" / "checkout_steps.py").exists()
    assert keeps_every_line(mine, (root / "tests" / "conftest.py").read_text(encoding="utf-8"))


def test_one_placeholder_typed_two_ways_gets_two_definitions(
    pytester: pytest.Pytester, outcomes: StepOutcomes
) -> None:
    outline = "Feature: {0}\n  Scenario Outline: s\n    Given I have <count> apples\n    Then ok\n    Examples:\n      | count |\n      | {1} |\n"
    root = make_project(
        pytester.path, {"a.feature": outline.format("a", "5"), "b.feature": outline.format("b", "many")}
    )
    assert run_cli("scaffold", cwd=root).exit_code == 0
    run = pytester.runpytest_inprocess(
        "tests", "--strict-markers", "-p", "no:cacheprovider", plugins=[outcomes]
    )
    run.assert_outcomes(failed=2, passed=2)
    assert set(outcomes.failures.values()) == {("then", "AssertionError")}


def test_the_run_cache_is_never_stale_and_safe_to_delete(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"checkout.feature": CHECKOUT})
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert "nothing changed since the last run" in run_cli("scaffold", cwd=root).output
    # A changed feature misses the cache.
    (root / "features" / "checkout.feature").write_text(
        CHECKOUT
        + "\n  Scenario: Paying twice\n    When the customer pays 1.00 by card\n    Then a refund of 1.00 is issued\n",
        encoding="utf-8",
    )
    changed = run_cli("scaffold", cwd=root)
    assert "nothing changed" not in changed.output
    assert "test_paying_twice" in (root / "tests" / "test_checkout.py").read_text(encoding="utf-8")
    # A hand edit under tests/ misses the cache too, and is kept.
    steps = root / "tests" / "step_defs" / "checkout_steps.py"
    steps.write_text(steps.read_text(encoding="utf-8") + "\n# mine\n", encoding="utf-8")
    assert "nothing changed" not in run_cli("scaffold", cwd=root).output
    assert steps.read_text(encoding="utf-8").endswith("# mine\n")
    # A corrupt or deleted cache is only a slower run.
    (root / ".redphase_cache" / "scaffold.json").write_text("{not json", encoding="utf-8")
    before = snapshot(root / "tests")
    assert run_cli("scaffold", cwd=root).exit_code == 0
    shutil.rmtree(root / ".redphase_cache")
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert snapshot(root / "tests") == before


def test_two_scaffolds_at_once_leave_no_broken_file(tmp_path: Path) -> None:
    root = make_project(tmp_path, sorted((CORPUS / "good").glob("*.feature")))
    command = [sys.executable, "-m", "redphase", "scaffold"]
    processes = [
        subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    assert [process.wait(timeout=120) for process in processes] == [0, 0]
    for path in (root / "tests").rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"))
    assert not list((root / "tests").rglob("*.tmp"))
    assert run_cli("scaffold", "--check", cwd=root).exit_code == 0


def test_a_module_name_taken_elsewhere_in_the_tests_tree_is_not_reused(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"checkout.feature": CHECKOUT})
    (root / "tests" / "unit").mkdir(parents=True)
    (root / "tests" / "unit" / "test_checkout.py").write_text(
        "def test_unit():\n    pass\n", encoding="utf-8"
    )
    assert run_cli("scaffold", cwd=root).exit_code == 0
    assert (root / "tests" / "test_checkout_2.py").is_file()
    assert not (root / "tests" / "test_checkout.py").exists()


def test_a_feature_named_like_the_health_checks_gets_a_module_of_its_own(
    pytester: pytest.Pytester, outcomes: StepOutcomes
) -> None:
    root = make_project(pytester.path, {"harness_health.feature": CHECKOUT})
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    feature_module = (root / "tests" / "test_harness_health_2.py").read_text(encoding="utf-8")
    assert "Paying by card" in feature_module
    assert "Paying by card" not in (root / "tests" / "test_harness_health.py").read_text(encoding="utf-8")
    run = pytester.runpytest_inprocess("tests", "-p", "no:cacheprovider", plugins=[outcomes])
    run.assert_outcomes(failed=1, passed=2)


def test_a_byte_order_mark_is_reported_and_the_feature_still_runs(
    pytester: pytest.Pytester, outcomes: StepOutcomes
) -> None:
    root = make_project(pytester.path, {})
    (root / "features" / "bom.feature").write_bytes(b"\xef\xbb\xbf" + CHECKOUT.encode("utf-8"))
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    assert "byte order mark" in result.output
    run = pytester.runpytest_inprocess(
        "tests", "--strict-markers", "-p", "no:cacheprovider", plugins=[outcomes]
    )
    run.assert_outcomes(failed=1, passed=2)
    assert set(outcomes.failures.values()) == {("then", "AssertionError")}


def test_imports_an_append_needs_join_the_persons_own_at_the_top(tmp_path: Path) -> None:
    # A person's step module: their imports, then code. New steps need `parsers` and `when`.
    root = make_project(
        tmp_path / "p", {"shop.feature": "Feature: Shop\n  Scenario: Buy\n    Given a cart\n"}
    )
    assert run_cli("scaffold", cwd=root).exit_code == 0
    module = root / "tests" / "step_defs" / "shop_steps.py"
    mine = '"""My steps."""\n\nfrom pytest_bdd import given\n\nCART = []\n\n\n@given("a cart")\ndef a_cart() -> None:\n    CART.clear()\n'
    module.write_text(mine, encoding="utf-8")
    feature = root / "features" / "shop.feature"
    feature.write_text(
        feature.read_text(encoding="utf-8") + '    When I add "tea" 2 times\n', encoding="utf-8"
    )
    assert run_cli("scaffold", cwd=root).exit_code == 0
    new = module.read_text(encoding="utf-8")
    # Their import from pytest_bdd gains the names the new steps need; every other line stays.
    assert keeps_every_line(mine.replace("import given", "import given, parsers, when"), new)
    body = ast.parse(new).body
    first_code = next(
        i for i, s in enumerate(body[1:], 1) if not isinstance(s, ast.Import | ast.ImportFrom | ast.If)
    )
    assert all(not isinstance(s, ast.Import | ast.ImportFrom) for s in body[first_code:])
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "E402,F401,F811,I001", "--no-cache", str(module)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout


TAGGED = """\
@checkout
Feature: Tagged
  @wip:now
  Scenario: Ours
    Given a customer with 3 items in the basket
    Then a refund of 4.25 is issued

  @jira:7
  Scenario: Theirs
    Given a customer with 3 items in the basket
    Then a refund of 4.25 is issued
"""
# A person's tests/conftest.py with the two hooks redphase's plumbing implements too. Their tag
# hook claims `@jira:7`, a tag redphase's own would otherwise apply as the marker `jira_7`.
OWN_HOOKS = '''\
"""My conftest."""

from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mine: my own marker")
    config.addinivalue_line("markers", "owned: a tag my own hook applies")


def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    if tag != "jira:7":
        return None
    pytest.mark.owned(function)
    return True
'''
# pytest_configure is historic, which pluggy allows no wrapper for: theirs is trylast instead. Their
# tag hook is a wrapper (new style or old) and takes fewer arguments than the hook has.
OWN_WRAPPERS = """\
from collections.abc import Generator
from typing import Any

import pytest


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mine: my own marker")
    config.addinivalue_line("markers", "wrapped: every scenario, by my tag wrapper")
    # Every other pytest_configure has run: redphase's has registered the feature's tags.
    if any(line.startswith("checkout:") for line in config.getini("markers")):
        config.addinivalue_line("markers", "after_yours: mine ran after redphase's")


@pytest.hookimpl({style}=True)
def pytest_bdd_apply_tag(function: Any) -> Generator[None, Any, Any]:
    pytest.mark.wrapped(function)
    {body}
"""
WRAPPER_BODIES = {"wrapper": "return (yield)", "hookwrapper": "yield"}
MY_TEST = "import pytest\n\n\n@pytest.mark.mine\n{extra}def test_mine() -> None:\n    pass\n"


class _Markers:
    """Each collected test's markers, by test name."""

    def __init__(self) -> None:
        self.by_test: dict[str, set[str]] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.by_test = {item.name: {mark.name for mark in item.iter_markers()} for item in items}


def _own_hooks_project(root: Path, conftest: str, extra: str = "") -> Path:
    make_project(root, {"tagged.feature": TAGGED})
    (root / "tests").mkdir()
    (root / "tests" / "conftest.py").write_text(conftest, encoding="utf-8")
    (root / "tests" / "test_mine.py").write_text(MY_TEST.format(extra=extra), encoding="utf-8")
    result = run_cli("scaffold", cwd=root)
    assert result.exit_code == 0, result.output
    # Every line of theirs stays; their import from typing gains the harness's TypeVar.
    mine = conftest.replace("from typing import Any\n", "from typing import Any, TypeVar\n")
    assert keeps_every_line(mine, (root / "tests" / "conftest.py").read_text(encoding="utf-8"))
    return root


def _run_tests(pytester: pytest.Pytester, outcomes: StepOutcomes) -> dict[str, set[str]]:
    markers = _Markers()
    run = pytester.runpytest_inprocess(
        "tests", "--strict-markers", "-p", "no:cacheprovider", plugins=[outcomes, markers]
    )
    # The person's marked test and the health checks pass; both scenarios are red at their Then.
    run.assert_outcomes(failed=2, passed=3)
    assert set(outcomes.failures.values()) == {("then", "AssertionError")}
    return markers.by_test


def test_a_persons_own_configure_and_tag_hooks_keep_running_beside_ours(
    pytester: pytest.Pytester, outcomes: StepOutcomes
) -> None:
    root = _own_hooks_project(pytester.path, OWN_HOOKS)
    # Under --strict-markers: their marker (their pytest_configure) and the feature's (ours).
    markers = _run_tests(pytester, outcomes)
    assert markers["test_mine"] == {"mine"}
    # Their tag hook is called first and claims its tag; ours applies the rest.
    assert markers["test_theirs"] == {"checkout", "owned"}
    assert markers["test_ours"] == {"checkout", "wip_now"}
    # The conftest passes the gates a person's own code would.
    conftest = str(root / "tests" / "conftest.py")
    gates = [
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "E,F,W,I,B,UP,SIM,N", "--ignore", "E501", conftest],
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", conftest],
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", conftest],
    ]  # fmt: skip
    for gate in gates:
        completed = subprocess.run(gate, cwd=root, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stdout + completed.stderr
    # A second run, without the run cache, finds nothing to add.
    before = snapshot(root / "tests")
    shutil.rmtree(root / ".redphase_cache")
    assert run_cli("scaffold", "--check", cwd=root).exit_code == 0
    assert snapshot(root / "tests") == before


@pytest.mark.parametrize("style", sorted(WRAPPER_BODIES))
def test_a_persons_hook_wrapper_and_trylast_hook_keep_their_place_around_ours(
    pytester: pytest.Pytester, outcomes: StepOutcomes, style: str
) -> None:
    conftest = OWN_WRAPPERS.format(style=style, body=WRAPPER_BODIES[style])
    _own_hooks_project(pytester.path, conftest, extra="@pytest.mark.after_yours\n")
    # `after_yours` is registered only if their trylast pytest_configure ran after ours; their tag
    # wrapper marks every scenario, and ours inside it still applies each tag.
    markers = _run_tests(pytester, outcomes)
    assert markers["test_mine"] == {"mine", "after_yours"}
    assert markers["test_ours"] == {"checkout", "wip_now", "wrapped"}
    assert markers["test_theirs"] == {"checkout", "jira_7", "wrapped"}


def test_an_outline_whose_examples_have_no_rows_is_warned_of(tmp_path: Path) -> None:
    """pytest-bdd runs such an outline once, with `<guess>` as the step's text: a test that means nothing."""
    outline = (
        "Feature: Words\n  Scenario Outline: Guessing\n    Given the word <guess>\n    Then it is fine\n\n"
        "    Examples:\n      | guess |\n"
    )
    root = make_project(tmp_path, {"words.feature": outline})
    result = run_cli("scaffold", "--check", cwd=root)
    assert (
        "features/words.feature:6:5: warning: the Examples of Scenario Outline 'Guessing' have no rows"
        in result.output
    )
    filled = make_project(tmp_path / "filled", {"words.feature": outline + "      | crane |\n"})
    assert "have no rows" not in run_cli("scaffold", "--check", cwd=filled).output
