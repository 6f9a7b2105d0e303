"""No failure without a verdict, and no side effects: verify on the layouts real projects have."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_project

pytestmark = pytest.mark.slow

CART = "Feature: Cart\n  Scenario: Total\n    When I add 2 and 3\n    Then the total is 5\n"
CART_STEPS = """\
import pytest
from pytest_bdd import parsers, scenarios, then, when

from {module} import add

scenarios("{feature}")


@pytest.fixture
def box():
    return {{}}


@when(parsers.parse("I add {{a:d}} and {{b:d}}"))
def _(box, a, b):
    box["total"] = add(a, b)


@then(parsers.parse("the total is {{n:d}}"))
def _(box, n):
    assert box["total"] == n
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _cart_project(root: Path, **extra: str) -> Path:
    return _write(
        root,
        {
            "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\ntestpaths = ["tests"]\n',
            "src/shop/__init__.py": "",
            "src/shop/cart.py": "def add(a, b):\n    return 0\n\n\ndef helper():\n    return 1\n",
            "tests/cart.feature": CART,
            "tests/test_cart.py": CART_STEPS.format(module="shop.cart", feature="cart.feature"),
            **extra,
        },
    )


def _verify(cwd: Path, *args: str, json_path: Path | None = None) -> tuple[int, dict[str, Any], str]:
    out = json_path or cwd / "verdicts.json"
    completed = subprocess.run(
        [sys.executable, "-m", "redphase", "verify", f"--json={out}", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    output = completed.stdout + completed.stderr
    document = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    return completed.returncode, document, output


def _verdicts(document: dict[str, Any]) -> dict[str, str]:
    return {result["nodeid"]: result["verdict"] for result in document.get("results", [])}


def _reproduce(command: str) -> subprocess.CompletedProcess[str]:
    """A reproduce command, run as a person with this interpreter's environment active would."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        command, shell=True, capture_output=True, text=True, env={**os.environ, "PATH": path}, check=False
    )


# -- start-up conftests and plugins ------------------------------------------------------------------

STARTUP_FAILURES = {
    "syntax": ({"conftest.py": "import pytest\n\ndef broken(:\n    pass\n"}, "conftest.py", "conftest.py:3"),
    "import": (
        {"conftest.py": "import pytest\n\nfrom shop.cart import helpr\n"},
        "conftest.py",
        "conftest.py:3",
    ),
    "other": (
        {"tests/conftest.py": "import pytest\n\nSETTINGS = {}\nDSN = SETTINGS['dsn']\n"},
        "tests/conftest.py",
        "tests/conftest.py:4",
    ),
    "plugin": (
        {
            "conftest.py": 'pytest_plugins = ["tests.fixtures_plugin"]\n',
            "tests/__init__.py": "",
            "tests/fixtures_plugin.py": "import pytest\n\nfrom shop.cart import helpr\n",
        },
        "tests/fixtures_plugin.py",
        "tests/fixtures_plugin.py:3",
    ),
}


@pytest.mark.parametrize("xdist", [(), ("--", "-n", "2")], ids=["serial", "xdist"])
@pytest.mark.parametrize("kind", sorted(STARTUP_FAILURES))
def test_a_start_up_conftest_that_fails_gets_one_collection_error(
    tmp_path: Path, kind: str, xdist: tuple[str, ...]
) -> None:
    files, nodeid, location = STARTUP_FAILURES[kind]
    root = _cart_project(tmp_path, **files)
    report = tmp_path / "gaps.md"
    code, document, output = _verify(root, f"--report={report}", *xdist)
    assert code == 1, output
    assert _verdicts(document) == {nodeid: "collection-error"}, output
    result = document["results"][0]
    assert result["location"] == location
    assert result["category"] == {"plugin": "import"}.get(kind, kind)
    if kind in ("import", "plugin"):
        assert "helper" in result["hint"], result["hint"]
    assert "collection-error" in report.read_text(encoding="utf-8")
    assert "redphase: 1 collection-error" in output


@pytest.mark.parametrize("xdist", [(), ("--", "-n", "2")], ids=["serial", "xdist"])
def test_a_scaffolded_step_module_that_fails_to_import_gets_a_collection_error(
    tmp_path: Path, xdist: tuple[str, ...]
) -> None:
    # In the red phase a step module may import application code that does not exist yet.
    root = make_project(tmp_path, {"cart.feature": CART})
    scaffolded = subprocess.run(
        [sys.executable, "-m", "redphase", "scaffold"], cwd=root, capture_output=True, text=True, check=False
    )
    assert scaffolded.returncode == 0, scaffolded.stderr
    steps = root / "tests" / "step_defs" / "cart_steps.py"
    broken = steps.read_text(encoding="utf-8") + "\nimport shop_not_written_yet\n"
    steps.write_text(broken, encoding="utf-8")
    code, document, output = _verify(root, *xdist)
    assert code == 1, output
    assert set(_verdicts(document).values()) == {"collection-error"}, output
    [result] = document["results"]
    assert result["category"] == "import", result
    assert result["location"] == f"tests/step_defs/cart_steps.py:{broken.count(chr(10))}", result


def test_an_invalid_pytest_option_stays_a_usage_error(tmp_path: Path) -> None:
    root = _cart_project(tmp_path)
    code, document, output = _verify(root, "--", "--no-such-option")
    assert code == 2
    assert "unrecognized arguments: --no-such-option" in output
    assert not document


def test_an_invalid_ini_value_stays_a_usage_error(tmp_path: Path) -> None:
    root = _cart_project(tmp_path)
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npythonpath = ["src"]\nminversion = "999"\n', encoding="utf-8"
    )
    code, _, output = _verify(root)
    assert code == 2
    assert "999" in output


# -- the options verify passes do not change pytest's view -------------------------------------------


@pytest.mark.parametrize("where", ["inside", "outside"])
def test_output_paths_that_exist_change_nothing(tmp_path: Path, where: str) -> None:
    root = _cart_project(tmp_path / "project")
    folder = root / "out" if where == "inside" else tmp_path / "elsewhere"
    folder.mkdir()
    json_path, report = folder / "verdicts.json", folder / "gaps.md"
    runs = [_verify(root, f"--report={report}", json_path=json_path) for _ in range(2)]
    # The separated form of the options too: the path is its own word on the command line.
    runs.append(_verify(root, "--report", str(report), json_path=json_path))
    for code, document, output in runs:
        assert _verdicts(document) == {"tests/test_cart.py::test_total": "good-red"}, output
        assert code == 0


# -- the project as `python -m pytest` sees it --------------------------------------------------------


def test_a_top_level_module_is_importable_as_under_python_m_pytest(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": "[tool.pytest.ini_options]\n",
            "cucumbers.py": "class Basket:\n    def add(self, a, b):\n        return 0\n\n\ndef add(a, b):\n    return Basket().add(a, b)\n",
            "tests/cart.feature": CART,
            "tests/test_cart.py": CART_STEPS.format(module="cucumbers", feature="cart.feature"),
        },
    )
    plain = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert "1 failed" in plain.stdout, plain.stdout
    code, document, output = _verify(root)
    assert _verdicts(document) == {"tests/test_cart.py::test_total": "good-red"}, output
    assert code == 0
    command = document["results"][0]["reproduce"]
    rerun = _reproduce(command)
    assert "1 failed" in rerun.stdout, rerun.stdout


def test_reproduce_runs_from_where_verify_ran(tmp_path: Path) -> None:
    root = _cart_project(tmp_path / "project")
    _code, document, output = _verify(tmp_path, str(root), json_path=tmp_path / "out.json")
    assert _verdicts(document) == {"tests/test_cart.py::test_total": "good-red"}, output
    command = document["results"][0]["reproduce"]
    directory, pytest_command = command.split(" && ", 1)
    assert shlex.split(directory) == ["cd", str(tmp_path)]
    assert shlex.split(pytest_command)[3] == "project/tests/test_cart.py::test_total"
    rerun = _reproduce(command)
    assert "1 failed" in rerun.stdout, rerun.stdout


# -- what counts as application code ------------------------------------------------------------------


def test_flat_modules_beside_an_unrelated_package_are_the_application(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["app"]\n',
            "app/basket.py": "def add(a, b):\n    return 0\n",
            "tools/__init__.py": "",
            "tools/release.py": "def bump():\n    return 1\n",
            "tests/cart.feature": CART,
            "tests/helpers.py": "def total_of(box):\n    return box['total']\n",
            "tests/test_cart.py": CART_STEPS.format(module="basket", feature="cart.feature"),
        },
    )
    code, document, output = _verify(root)
    assert _verdicts(document) == {"tests/test_cart.py::test_total": "good-red"}, output
    assert code == 0


def test_test_code_alone_is_not_application_code(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": "[tool.pytest.ini_options]\n",
            "tests/arith.py": "def add(a, b):\n    return 0\n",
            "tests/cart.feature": CART,
            "tests/test_cart.py": CART_STEPS.format(module="tests.arith", feature="cart.feature"),
            "tests/__init__.py": "",
        },
    )
    _code, document, output = _verify(root)
    assert _verdicts(document) == {"tests/test_cart.py::test_total": "unwired-red"}, output


def test_configured_app_still_decides(tmp_path: Path) -> None:
    root = _cart_project(tmp_path)
    (root / "src/other").mkdir()
    (root / "src/other/__init__.py").write_text("", encoding="utf-8")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tool.redphase]\napp = ["other"]\n')
    _code, document, output = _verify(root)
    assert _verdicts(document) == {"tests/test_cart.py::test_total": "unwired-red"}, output


# -- application code in another thread --------------------------------------------------------------

FASTAPI_STEPS = """\
import pytest
from fastapi.testclient import TestClient
from pytest_bdd import parsers, scenarios, then, when

from shop.web import app

scenarios("cart.feature")


@pytest.fixture
def client():
    with TestClient(app) as client:
        yield client


@pytest.fixture
def box():
    return {}


@when(parsers.parse("I add {a:d} and {b:d}"))
def _(client, box, a, b):
    box["total"] = client.get("/add", params={"a": a, "b": b}).json()["total"]


@then(parsers.parse("the total is {n:d}"))
def _(box, n):
    assert box["total"] == n
"""


@pytest.mark.parametrize("route", ["def", "async def"])
def test_route_handlers_in_a_test_clients_thread_are_seen(tmp_path: Path, route: str) -> None:
    pytest.importorskip("fastapi")
    root = _cart_project(
        tmp_path,
        **{
            "src/shop/web.py": (
                "from fastapi import FastAPI\n\nfrom shop.cart import add\n\napp = FastAPI()\n\n\n"
                f'@app.get("/add")\n{route} add_route(a: int, b: int) -> dict[str, int]:\n'
                '    return {"total": add(a, b)}\n'
            ),
            "tests/test_cart.py": FASTAPI_STEPS,
        },
    )
    _code, document, output = _verify(root)
    assert _verdicts(document) == {"tests/test_cart.py::test_total": "good-red"}, output


THREAD_STEPS = """\
import pathlib
import sys
import threading

import pytest
from pytest_bdd import parsers, scenarios, then, when

from shop.cart import add

scenarios("cart.feature")


@pytest.fixture
def box():
    return {}


@when(parsers.parse("I add {a:d} and {b:d}"))
def _(box, a, b):
    worker = threading.Thread(target=lambda: box.update(total=add(a, b)))
    worker.start()
    worker.join()
    pathlib.Path("hook-after-join.txt").write_text(repr(sys.getprofile()))


@then(parsers.parse("the total is {n:d}"))
def _(box, n):
    assert box["total"] == n
"""


def test_once_another_thread_ran_application_code_the_steps_thread_stops_watching(tmp_path: Path) -> None:
    root = _cart_project(tmp_path, **{"tests/test_cart.py": THREAD_STEPS})
    # Without the lock, whose record of the test code that runs needs a watch of its own.
    _code, document, output = _verify(root, "--no-lock")
    assert _verdicts(document) == {"tests/test_cart.py::test_total": "good-red"}, output
    # Python 3.11 watches with a profile hook; the rest of the step runs without it.
    assert (root / "hook-after-join.txt").read_text(encoding="utf-8") == "None"


# -- hints that fit the project ----------------------------------------------------------------------


def test_the_undefined_step_hint_fits_a_project_without_a_harness(tmp_path: Path) -> None:
    feature = (
        "Feature: Cart\n  Scenario: Total\n    Given the lines are\n      | item | price |\n"
        "      | tea  | 2     |\n    When I add 2 and 3\n    Then the total is 5\n"
    )
    root = _cart_project(tmp_path, **{"tests/cart.feature": feature})
    _, document, output = _verify(root)
    result = document["results"][0]
    assert result["verdict"] == "undefined-step", output
    hint = result["hint"]
    assert "system" not in hint
    assert "datatable" in hint
    code = hint.split("\n", 1)[1]
    compile(code, "hint", "exec")
    assert "def given_the_lines_are(datatable: list[list[str]]) -> None:" in code


# -- xfail does not hide a bad red -------------------------------------------------------------------


def test_xfail_is_judged_by_why_it_failed(tmp_path: Path) -> None:
    feature = """\
    Feature: Cart
      @xfail
      Scenario: Total
        When I add 2 and 3
        Then the total is 5

      @xfail
      Scenario: Missing step
        When I add 2 and 3
        Then a step nobody wrote

      @xfail_strict
      Scenario: Already works
        When I add 0 and 0
        Then the total is 0

      @skip
      Scenario: Skipped
        When I add 2 and 3
        Then the total is 5
    """
    steps = CART_STEPS.format(module="shop.cart", feature="cart.feature") + textwrap.dedent("""\


        @pytest.mark.xfail(strict=True)
        def test_strict_xpass():
            assert True


        @pytest.mark.skipif(True, reason="not here")
        def test_skipif():
            pass
        """)
    root = _cart_project(tmp_path, **{"tests/cart.feature": feature, "tests/test_cart.py": steps})
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('markers = ["xfail", "xfail_strict", "skip"]\n')
    (root / "tests/conftest.py").write_text(
        "import pytest\n\n\ndef pytest_bdd_apply_tag(tag, function):\n"
        '    if tag == "xfail":\n        pytest.mark.xfail(function)\n        return True\n'
        '    if tag == "xfail_strict":\n        pytest.mark.xfail(strict=True)(function)\n        return True\n'
        '    if tag == "skip":\n        pytest.mark.skip(function)\n        return True\n    return None\n',
        encoding="utf-8",
    )
    code, document, output = _verify(root)
    results = {r["nodeid"].rsplit("::", 1)[1]: r for r in document["results"]}
    verdicts = {name: (r["verdict"], r.get("xfail", False)) for name, r in results.items()}
    assert verdicts == {
        "test_total": ("good-red", True),
        "test_missing_step": ("undefined-step", True),
        "test_already_works": ("passed", True),
        "test_skipped": ("skipped", False),
        "test_strict_xpass": ("not-scenario", True),
        "test_skipif": ("skipped", False),
    }, output
    assert code == 1


# -- no side effects on the tests --------------------------------------------------------------------


def test_a_non_daemon_thread_finishes_before_verify_returns(tmp_path: Path) -> None:
    marker = tmp_path / "written-by-thread"
    root = _cart_project(
        tmp_path / "project",
        **{
            "tests/test_thread.py": (
                "import pathlib\nimport threading\nimport time\n\n\ndef test_starts_a_thread():\n"
                "    def later():\n        time.sleep(1)\n"
                f"        pathlib.Path({str(marker)!r}).write_text('done')\n\n"
                "    threading.Thread(target=later).start()\n"
            )
        },
    )
    _verify(root)
    assert marker.is_file()


def test_a_scenario_in_a_module_named_for_health_is_judged_as_a_scenario(tmp_path: Path) -> None:
    steps = CART_STEPS.format(module="shop.cart", feature="cart.feature").replace(
        "def box():\n    return {}", "def box():\n    raise RuntimeError('the database is not set up')"
    )
    root = _cart_project(tmp_path, **{"tests/test_health.py": steps, "tests/test_cart.py": ""})
    code, document, output = _verify(root)
    assert _verdicts(document) == {"tests/test_health.py::test_total": "fixture-error"}, output
    assert code == 1


def test_a_test_that_changes_the_working_folder_moves_no_output(tmp_path: Path) -> None:
    # verify runs pytest in its own process: output paths given relative to where it started stay
    # there, whatever folder a test leaves the process in.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = _cart_project(
        tmp_path / "project",
        **{"tests/test_chdir.py": f"import os\n\n\ndef test_moves():\n    os.chdir({str(elsewhere)!r})\n"},
    )
    completed = subprocess.run(
        [sys.executable, "-m", "redphase", "verify", "--json=out/v.json", "--report=out/r.md"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (root / "out" / "v.json").is_file(), completed.stdout + completed.stderr
    assert (root / "out" / "r.md").is_file()
    assert not (elsewhere / "out").exists()
    verdicts = _verdicts(json.loads((root / "out" / "v.json").read_text(encoding="utf-8")))
    assert verdicts["tests/test_chdir.py::test_moves"] == "not-scenario"


@pytest.mark.parametrize("jobs", ["--jobs=1", "--jobs=2"])
def test_a_test_that_monkeypatches_json_still_gets_its_verdict(tmp_path: Path, jobs: str) -> None:
    """jrnl's tests patch json.dumps for one test; the plugin's own reports must not use the patch."""
    root = _cart_project(
        tmp_path,
        **{
            "tests/test_patched.py": """\
                import json


                def test_patched_dumps(monkeypatch):
                    monkeypatch.setattr(json, "dumps", lambda *args, **kwargs: "x" * 10)
                    monkeypatch.setattr(json, "loads", lambda *args, **kwargs: None)
                    assert json.dumps({}) == "x" * 10
            """,
        },
    )
    code, document, output = _verify(root, jobs)
    assert "INTERNALERROR" not in output
    assert _verdicts(document) == {
        "tests/test_cart.py::test_total": "good-red",
        "tests/test_patched.py::test_patched_dumps": "not-scenario",
    }, output
    assert code == 0


EXITING_STEPS = """\
import sys

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from shop.cart import add

scenarios("exits.feature")


@pytest.fixture
def box():
    return {}


@given("a cart")
def _(box):
    box["total"] = add(0, 0)


@when("the command line exits")
def _(box):
    sys.exit(2)


@when("I add nothing")
def _(box):
    pass


@then("the process exits")
def _(box):
    raise SystemExit(3)
"""

EXITS = """\
Feature: Exits
  Scenario: When exits
    Given a cart
    When the command line exits
    Then the process exits

  Scenario: Then exits
    Given a cart
    When I add nothing
    Then the process exits
"""


def test_a_step_that_raises_system_exit_is_named_in_its_verdict(tmp_path: Path) -> None:
    """pytest-bdd calls its step-error hook only for an Exception; a click command called directly
    ends in SystemExit, which must still be blamed on its step."""
    root = _cart_project(tmp_path, **{"tests/exits.feature": EXITS, "tests/test_exits.py": EXITING_STEPS})
    _code, document, output = _verify(root)
    results = {result["nodeid"]: result for result in document["results"]}
    when = results["tests/test_exits.py::test_when_exits"]
    assert when["verdict"] == "early-failure", output
    assert when["step"]["text"] == "the command line exits"
    assert when["exception"] == "SystemExit"
    assert when["message"].startswith("SystemExit(2)")
    then = results["tests/test_exits.py::test_then_exits"]
    assert then["verdict"] == "test-error", output
    assert then["step"]["text"] == "the process exits"
    assert "own body" not in then["hint"]


def test_a_run_with_pytest_bdd_turned_off_still_gets_its_verdicts(tmp_path: Path) -> None:
    root = _write(tmp_path, {"pyproject.toml": "[tool.pytest.ini_options]\n", "tests/test_a.py": TEST_A})
    code, document, output = _verify(root, "--", "-p", "no:pytest-bdd")
    assert "INTERNALERROR" not in output
    assert _verdicts(document) == {"tests/test_a.py::test_a": "not-scenario"}, output
    assert code == 1


TEST_A = "def test_a():\n    assert 1 == 2\n"
