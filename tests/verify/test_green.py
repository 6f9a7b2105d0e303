"""The red lock and the green phase, end to end: `redphase init`, verify, implement, verify --phase green.

Every weakening a person or an agent might use to "pass" a locked test gives `tampered` (or
`missing`); formatting, comments, docstrings and local names change nothing.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

WELCOMED = "tests/integration/test_user_registration.py::test_a_new_visitor_is_welcomed_by_email"
AUDITED = "tests/integration/test_user_registration.py::test_every_registration_is_audited"
STEPS = "tests/integration/step_defs/user_registration_steps.py"
CONFTEST = "tests/integration/conftest.py"
FEATURE = "features/user_registration.feature"


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redphase", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        check=False,
    )


def _verify(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    out = cwd.parent / f"{cwd.name}-verdicts.json"
    out.unlink(missing_ok=True)
    completed = _run(cwd, "verify", f"--json={out}", *args, env=env)
    document = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    return completed.returncode, document, completed.stdout + completed.stderr


def _verdicts(document: dict[str, Any]) -> dict[str, str]:
    return {r["nodeid"]: r["verdict"] for r in document["results"] if r["verdict"] != "health-ok"}


def _lock(root: Path) -> dict[str, Any]:
    scenarios: dict[str, Any] = json.loads((root / "redphase.lock").read_text(encoding="utf-8"))["scenarios"]
    return scenarios


def _implement(root: Path) -> None:
    [services] = (root / "src").glob("*/services.py")
    text = services.read_text(encoding="utf-8")
    text = text.replace(
        "from .domain import Account, AlreadyRegistered",
        "from .domain import Account, AlreadyRegistered, AuditEvent, Message",
    )
    marker = (
        "        # The red phase points here: the welcome email and the audit event are not written yet.\n"
    )
    assert marker in text
    text = text.replace(
        marker,
        '        self.mailer.send(Message(to=email, subject="Welcome", body=f"Hello {name}"))\n'
        '        self.store.record(AuditEvent(name="user_registered", subject=email))\n',
    )
    services.write_text(text, encoding="utf-8")


def _replace_body(path: Path, qualname: str, body: str) -> None:
    """Replace the body (after its docstring) of the function `qualname` in `path` with `body`."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    target = _find(ast.parse(text), qualname)
    statements = target.body
    if isinstance(statements[0], ast.Expr) and isinstance(statements[0].value, ast.Constant):
        statements = statements[1:]
    start, end = statements[0].lineno - 1, statements[-1].end_lineno or statements[-1].lineno
    indent = " " * statements[0].col_offset
    new = textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", indent)
    path.write_text("".join(lines[:start]) + new + "".join(lines[end:]), encoding="utf-8")


def _find(tree: ast.AST, qualname: str) -> ast.FunctionDef:
    head, _, rest = qualname.partition(".")
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == head:
            if not rest:
                assert isinstance(node, ast.FunctionDef)
                return node
            return _find(node, rest)
    raise AssertionError(f"{qualname} not found")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def red_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh `redphase init` project after its red-phase verify: the lock holds the two good reds."""
    root = tmp_path_factory.mktemp("green") / "shop"
    completed = _run(root.parent, "init", str(root), "--no-input")
    assert completed.returncode == 0, completed.stderr
    code, document, output = _verify(root)
    assert code == 0, output
    assert _verdicts(document) == {WELCOMED: "good-red", AUDITED: "good-red"}
    return root


@pytest.fixture
def implemented(red_project: Path, tmp_path: Path) -> Path:
    """A copy of the locked project with the welcome email and the audit event implemented."""
    root = tmp_path / "shop"
    shutil.copytree(red_project, root)
    _implement(root)
    return root


def test_the_red_run_locks_the_two_good_reds(red_project: Path) -> None:
    lock = _lock(red_project)
    assert sorted(lock) == [WELCOMED, AUDITED]
    entry = lock[WELCOMED]
    assert entry["feature_file"] == FEATURE
    assert entry["line"] == 5
    assert entry["then"] == {
        "keyword": "And",
        "text": 'a welcome email is sent to "ada@example.com"',
        "line": 9,
        "expected": "'ada@example.com'",
    }
    assert 'And a welcome email is sent to "ada@example.com"' in entry["gherkin"]["lines"]
    functions = entry["code"]["functions"]
    assert f"{STEPS}::then_a_welcome_email_is_sent_to" in functions
    assert f"{CONFTEST}::Harness.read" in functions
    assert f"{CONFTEST}::Fake.calls_to" in functions
    assert f"{CONFTEST}::system" in functions  # fixtures count
    assert f"{STEPS}::_unquote" in functions  # and helpers
    assert not any(key.startswith("src/") for key in functions)  # application code does not
    text = (red_project / "redphase.lock").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_implementing_turns_both_green(implemented: Path) -> None:
    report = implemented.parent / "green.md"
    code, document, output = _verify(implemented, "--phase", "green", f"--report={report}")
    assert code == 0, output
    assert _verdicts(document) == {WELCOMED: "green", AUDITED: "green"}
    assert document["phase"] == "green"
    [result] = [r for r in document["results"] if r["nodeid"] == WELCOMED]
    assert result["lock"]["nodeid"] == WELCOMED
    assert "green phase is good" in output
    assert "## Turned green (2)" in report.read_text(encoding="utf-8")


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_junit_properties_carry_the_green_verdicts(implemented: Path, xdist: tuple[str, ...]) -> None:
    import xml.etree.ElementTree as ElementTree

    junit = implemented.parent / f"green-{len(xdist)}.xml"
    code, document, output = _verify(implemented, "--phase", "green", "--", f"--junitxml={junit}", *xdist)
    assert code == 0, output
    verdicts = {r["nodeid"]: r["verdict"] for r in document["results"]}
    found = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        nodeid = case.get("classname", "").replace(".", "/") + ".py::" + case.get("name", "")
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        found[nodeid] = properties["redphase.verdict"]
    assert found == verdicts


def _loosen(root: Path) -> None:
    _replace_body(
        root / STEPS,
        "then_a_welcome_email_is_sent_to",
        """
        expected = text
        observed = system.read(system.mailer.calls_to("send"), expected)
        assert observed is not None or expected, system.mismatch(expected, observed)
        """,
    )


def _change_expected(root: Path) -> None:
    _edit(
        root / STEPS, 'expected = {"event": event, "text": text}', 'expected = {"event": event, "text": "x"}'
    )


def _empty_step(root: Path) -> None:
    _replace_body(root / STEPS, "then_a_welcome_email_is_sent_to", "pass")


def _echo(root: Path) -> None:
    _edit(
        root / CONFTEST,
        "        if result == expected:\n",
        "        return expected\n        if result == expected:\n",
    )


def _edit_then_line(root: Path) -> None:
    _edit(
        root / FEATURE,
        'Then an audit event "user_registered" is recorded for "grace@example.com"',
        'Then an account exists for "grace@example.com"',
    )


def _change_helper(root: Path) -> None:
    _replace_body(root / STEPS, "_unquote", 'return text.strip("\'\\"")')


def _change_module_value(root: Path) -> None:
    # Harness.read looks values up against it: a value it matches everything with echoes any expected.
    _edit(
        root / CONFTEST,
        "_MISSING = object()",
        "class _Anything:\n    def __eq__(self, other: object) -> bool:\n        return True\n\n\n_MISSING = _Anything()",
    )


def _force_pass(root: Path) -> None:
    with (root / CONFTEST).open("a", encoding="utf-8") as handle:
        handle.write(
            "\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n"
        )


@pytest.mark.parametrize(
    ("change", "touched", "named"),
    [
        (_loosen, WELCOMED, f"{STEPS}::then_a_welcome_email_is_sent_to"),
        (_change_expected, AUDITED, f"{STEPS}::then_an_audit_event_is_recorded_for"),
        (_empty_step, WELCOMED, f"{STEPS}::then_a_welcome_email_is_sent_to"),
        (_echo, WELCOMED, f"{CONFTEST}::Harness.read"),
        (_edit_then_line, AUDITED, "Gherkin: "),
        (_change_helper, WELCOMED, f"{STEPS}::_unquote"),
        (_change_module_value, WELCOMED, f"{CONFTEST}::_MISSING"),
        (_force_pass, WELCOMED, f"{CONFTEST}::pytest_runtest_makereport"),
    ],
    ids=[
        "loosened",
        "expected-changed",
        "step-emptied",
        "harness-echoes",
        "then-line-edited",
        "helper-changed",
        "module-value-changed",
        "hook-forces-a-pass",
    ],
)
def test_each_weakening_is_tampered(implemented: Path, change: Any, touched: str, named: str) -> None:
    change(implemented)
    page = implemented.parent / f"{implemented.name}-green.html"
    code, document, output = _verify(implemented, "--phase", "green", "--one-line", f"--html={page}")
    assert code == 1, output
    text = page.read_text(encoding="utf-8")
    assert "Green phase is <strong>not good</strong>" in text
    assert "changed since the lock" in text
    assert named.split("::")[-1].rstrip(": ") in text
    verdicts = _verdicts(document)
    assert verdicts[touched] == "tampered", output
    [result] = [r for r in document["results"] if r["nodeid"] == touched]
    names = [change["name"] for change in result["diff"]]
    assert any(name.startswith(named) for name in names), names
    assert all(change["diff"].startswith("--- locked/") for change in result["diff"])
    assert result["lock"]["gherkin"] == _lock(implemented)[touched]["gherkin"]
    assert set(result["lock"]["code"]["functions"]) == set(_lock(implemented)[touched]["code"]["functions"])
    assert all(isinstance(f["source"], list) for f in result["lock"]["code"]["functions"].values())
    assert output.strip().splitlines()[-1].startswith("redphase green: tampered ")
    if change is _edit_then_line:
        assert verdicts[WELCOMED] == "green"  # only the scenario it touches


def test_formatting_comments_docstrings_and_local_names_change_nothing(implemented: Path) -> None:
    steps = implemented / STEPS
    _edit(steps, "    expected = text\n", "    # the expectation\n    expected = text  # from the step\n")
    _replace_body(
        steps,
        "then_an_account_exists_for",
        """
        expected = text
        seen = system.read(system.app.store.find_account(email=text), expected)
        assert seen == expected, system.mismatch(expected, seen)
        """,
    )
    _edit(
        implemented / CONFTEST,
        "    def reachable(self) -> bool:\n",
        '    def reachable(self) -> bool:\n        """Always: it lives in memory."""\n',
    )
    _edit(implemented / CONFTEST, "    def read(", "    # what the Then steps read\n    def read(")
    black = subprocess.run(
        [sys.executable, "-m", "black", "-q", "--line-length", "60", "tests"],
        cwd=implemented,
        capture_output=True,
        text=True,
        check=False,
    )
    assert black.returncode == 0, black.stderr
    code, document, output = _verify(implemented, "--phase", "green")
    assert code == 0, output
    assert _verdicts(document) == {WELCOMED: "green", AUDITED: "green"}


def test_a_scenario_added_after_the_lock_is_never_red(implemented: Path) -> None:
    with (implemented / FEATURE).open("a", encoding="utf-8") as handle:
        handle.write(
            '\n  Scenario: A registered visitor has an account\n    Given no account exists for "lin@example.com"\n'
            '    When a visitor registers with email "lin@example.com" and name "Lin"\n'
            '    Then an account exists for "lin@example.com"\n'
        )
    with (implemented / "tests/integration/test_user_registration.py").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n\n@scenario(FEATURE, "A registered visitor has an account")\n'
            "def test_a_registered_visitor_has_an_account() -> None:\n    pass\n"
        )
    code, document, output = _verify(implemented, "--phase", "green")
    assert code == 1, output
    verdicts = _verdicts(document)
    assert verdicts[
        "tests/integration/test_user_registration.py::test_a_registered_visitor_has_an_account"
    ] == ("never-red")
    assert verdicts[WELCOMED] == verdicts[AUDITED] == "green"


def test_a_locked_scenario_that_still_fails_is_still_red(red_project: Path, tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(red_project, root)
    code, document, output = _verify(root, "--phase", "green")
    assert code == 1, output
    assert _verdicts(document) == {WELCOMED: "still-red", AUDITED: "still-red"}


def test_the_lock_keeps_entries_and_relocks_only_good_reds(red_project: Path, tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(red_project, root)
    before = (root / "redphase.lock").read_text(encoding="utf-8")
    # A changed test that is still good-red does not replace its entry on its own...
    _edit(
        root / STEPS, 'expected = {"event": event, "text": text}', 'expected = {"text": text, "event": event}'
    )
    code, document, output = _verify(root)
    assert code == 0, output
    assert document["lock"]["changed"] == [AUDITED]
    assert (root / "redphase.lock").read_text(encoding="utf-8") == before
    # ...--relock does, because it is shown red again.
    code, document, output = _verify(root, "--relock", AUDITED)
    assert code == 0, output
    assert document["lock"]["relocked"] == [AUDITED]
    assert _lock(root)[AUDITED] != json.loads(before)["scenarios"][AUDITED]
    relocked = (root / "redphase.lock").read_text(encoding="utf-8")
    # Once it passes it can no longer be relocked, and a red run keeps (and reports) its entry.
    _implement(root)
    code, document, output = _verify(root, "--relock", AUDITED)
    assert code == 1, output
    assert document["lock"]["refused"] == [{"nodeid": AUDITED, "verdict": "passed"}]
    assert {item["nodeid"] for item in document["lock"]["kept"]} == {WELCOMED, AUDITED}
    assert (root / "redphase.lock").read_text(encoding="utf-8") == relocked
    assert "refused --relock" in output


OUTLINE_FEATURE = """\
Feature: Discounts
  Scenario Outline: A code gives its discount
    Given the code "<code>"
    Then the discount is <percent> percent

    Examples:
      | code   | percent |
      | SPRING | 10      |
      | SUMMER | 20      |
"""

OUTLINE_STEPS = """\
import pytest
from pytest_bdd import given, parsers, scenarios, then

from shop.discounts import discount

scenarios("discounts.feature")


@pytest.fixture
def box():
    return {}


@given(parsers.parse('the code "{code}"'))
def _(box, code):
    box["code"] = code


@then(parsers.parse("the discount is {percent:d} percent"))
def _(box, percent):
    expected = percent
    observed = discount(box["code"])
    assert observed == expected
"""


def _outline_project(root: Path) -> Path:
    files = {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\ntestpaths = ["tests"]\n',
        "src/shop/__init__.py": "",
        "src/shop/discounts.py": "def discount(code):\n    return 0\n",
        "tests/discounts.feature": OUTLINE_FEATURE,
        "tests/test_discounts.py": OUTLINE_STEPS,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_an_outline_locks_each_row_and_a_deleted_row_is_missing(tmp_path: Path) -> None:
    root = _outline_project(tmp_path / "outline")
    code, document, output = _verify(root)
    assert code == 0, output
    lock = _lock(root)
    assert len(lock) == 2
    rows = sorted(entry["gherkin"]["lines"][-1] for entry in lock.values())
    assert rows == ["Examples: code=SPRING | percent=10", "Examples: code=SUMMER | percent=20"]
    (root / "src/shop/discounts.py").write_text(
        'def discount(code):\n    return {"SPRING": 10, "SUMMER": 20}.get(code, 0)\n', encoding="utf-8"
    )
    # Whitespace that Gherkin ignores does not count.
    _edit(root / "tests/discounts.feature", "      | SPRING | 10      |", "   |   SPRING |  10 |   ")
    _edit(root / "tests/discounts.feature", '    Given the code "<code>"', '\t\tGiven   the code "<code>"  ')
    code, document, output = _verify(root, "--phase", "green")
    assert code == 0, output
    assert set(_verdicts(document).values()) == {"green"}
    _edit(root / "tests/discounts.feature", "      | SUMMER | 20      |\n", "")
    code, document, output = _verify(root, "--phase", "green")
    assert code == 1, output
    assert sorted(_verdicts(document).values()) == ["green", "missing"]


def test_the_lock_and_verdicts_are_the_same_under_xdist_jobs_and_any_hash_seed(
    red_project: Path, tmp_path: Path
) -> None:
    locks, verdicts = [], []
    for name, args, seed in [
        ("serial", (), "1"),
        ("xdist", ("--", "-n", "2"), "2"),
        ("seed", (), "3"),
        ("jobs", ("--jobs", "2"), "4"),
    ]:
        root = tmp_path / name
        shutil.copytree(red_project, root)
        (root / "redphase.lock").unlink()
        code, document, output = _verify(root, *args, env={"PYTHONHASHSEED": seed})
        assert code == 0, output
        locks.append((root / "redphase.lock").read_text(encoding="utf-8"))
        _implement(root)
        code, document, output = _verify(root, "--phase", "green", *args, env={"PYTHONHASHSEED": seed})
        assert code == 0, output
        verdicts.append(_verdicts(document))
    assert locks[0] == locks[1] == locks[2] == locks[3]
    assert locks[0] == (red_project / "redphase.lock").read_text(encoding="utf-8")
    assert verdicts[0] == verdicts[1] == verdicts[2] == verdicts[3]


SESSION_STEPS = """\
import pytest
from pytest_bdd import given, parsers, scenarios, then

from shop.discounts import discount

scenarios("discounts.feature")


def _catalogue():
    return {"SPRING": 10, "SUMMER": 20, "AUTUMN": 30, "WINTER": 40}


@pytest.fixture(scope="session")
def catalogue():
    return _catalogue()


@pytest.fixture
def box():
    return {}


@given(parsers.parse('the code "{code}"'))
def _(box, catalogue, code):
    assert code in catalogue
    box["code"] = code


@then(parsers.parse("the discount is {percent:d} percent"))
def _(box, percent):
    assert discount(box["code"]) == percent
"""


def test_a_session_fixture_counts_for_every_scenario_on_any_worker(tmp_path: Path) -> None:
    locks = []
    for name, args in [("serial", ()), ("xdist", ("--", "-n", "2"))]:
        root = _outline_project(tmp_path / name)
        _edit(
            root / "tests/discounts.feature",
            "      | SUMMER | 20      |\n",
            "      | SUMMER | 20 |\n      | AUTUMN | 30 |\n      | WINTER | 40 |\n",
        )
        (root / "tests/test_discounts.py").write_text(SESSION_STEPS, encoding="utf-8")
        code, _document, output = _verify(root, *args)
        assert code == 0, output
        lock = _lock(root)
        assert len(lock) == 4
        for entry in lock.values():
            assert "tests/test_discounts.py::_catalogue" in entry["code"]["functions"]
            assert entry["code"]["fixtures"]["catalogue"] == "tests/test_discounts.py::catalogue"
        locks.append((root / "redphase.lock").read_text(encoding="utf-8"))
    assert locks[0] == locks[1]


def test_no_lock_records_nothing(tmp_path: Path) -> None:
    root = _outline_project(tmp_path / "outline")
    code, document, output = _verify(root, "--no-lock")
    assert code == 0, output
    assert "lock" not in document
    assert not (root / "redphase.lock").exists()


def test_the_green_phase_judges_without_watching_the_test_code_run(tmp_path: Path) -> None:
    root = _outline_project(tmp_path / "outline")
    code, _document, output = _verify(root)
    assert code == 0, output
    assert len(_lock(root)) == 2
    (root / "src/shop/discounts.py").write_text(
        'def discount(code):\n    return {"SPRING": 10, "SUMMER": 20}.get(code, 0)\n', encoding="utf-8"
    )
    # The green phase compares the locked functions' sources: it sets no profile hook (Python 3.11's
    # way to see which functions run), so a step sees none once application code has run.
    _edit(
        root / "tests/test_discounts.py",
        "    assert observed == expected\n",
        "    assert observed == expected\n"
        '    import pathlib, sys\n    pathlib.Path("hook.txt").write_text(repr(sys.getprofile()))\n',
    )
    code, document, output = _verify(root, "--phase", "green")
    assert set(_verdicts(document).values()) == {"tampered"}, output  # the Then step's body changed
    assert (root / "hook.txt").read_text(encoding="utf-8") == "None"


def test_a_lock_written_before_values_and_hooks_were_locked_still_judges_alike(
    red_project: Path, tmp_path: Path
) -> None:
    from redphase.verify.lock import _code_digest

    root = tmp_path / "shop"
    shutil.copytree(red_project, root)
    document = json.loads((root / "redphase.lock").read_text(encoding="utf-8"))
    assert any(item["code"]["hooks"] for item in document["scenarios"].values())
    for item in document["scenarios"].values():
        del item["code"]["values"], item["code"]["hooks"]
        item["code"]["sha256"] = _code_digest(item["code"], parts=())  # as the lock's first version did
    (root / "redphase.lock").write_text(json.dumps(document), encoding="utf-8")
    code, red, output = _verify(root)
    assert code == 0, output
    assert red["lock"]["changed"] == [], output
    _implement(root)
    code, green, output = _verify(root, "--phase", "green")
    assert _verdicts(green) == {WELCOMED: "green", AUDITED: "green"}, output
