"""redphase verify against real public pytest-bdd projects: our development set.

    python benchmarks/real_projects.py prepare [NAME...] [--work DIR]
    python benchmarks/real_projects.py run     [NAME...] [--work DIR] [--no-xdist] [--json FILE]
    python benchmarks/real_projects.py break   [NAME...] [--work DIR]
    python benchmarks/real_projects.py steps   [NAME...] [--work DIR]
    python benchmarks/real_projects.py ratio   [NAME...] [--work DIR] [--repeat N]

`steps` runs each project under `pytest --redphase --redphase-step-index=check` with this checkout's
redphase first on sys.path, and prints how many step lookups the index and pytest-bdd disagreed on.
`ratio` times `redphase verify --no-lock` ÷ plain pytest on each project as it is (its green state),
alternating which goes first, and prints min/median/max with the load average. `--lock` times verify
as a plain `redphase verify` runs (watching for the lock, and writing `redphase.lock`), `--phase
green` times `verify --phase green`. Run it with another Python (say 3.13) after `prepare --work DIR`
with that Python; options go after the project names.

Not run by CI: it needs the projects' sources, which are not in this repository. They come from
the coding session's `fetch` tool, which puts a git snapshot of `owner/name` under
`/work/.mirror/<owner>+<name>/repo` (set REDPHASE_MIRRORS to look elsewhere). `prepare` clones each
snapshot into `<work>/<name>/src` at the commit listed below, creates `<work>/<name>/venv` with
`python -m venv`, and installs into it redphase (editable, from this checkout), pytest-xdist and the
project's own test requirements. A project whose snapshot is missing is reported and skipped.

`run`, for each project, from `<work>/<name>/src/<subdir>`:
  1. plain `python -m pytest -q -p no:cacheprovider ARGS`, with a small probe plugin (written into
     the venv's site-packages, so it changes nothing on sys.path) that records each test's outcome
     per phase, its exception, the failing step's type and whether the test is a scenario;
  2. `python -m redphase verify PATHS --json F -- -p no:cacheprovider ARGS`, serially;
  3. the same with `-n 2` (skipped with --no-xdist);
  4. the same with `--jobs 2`, whose results must equal the serial run's whole, in its order.
It prints pytest's counts, verify's summaries and every mismatch: a verdict that does not agree
with the plain outcome (passed -> `passed`/`no-outcome` for scenarios, `not-scenario` for plain
tests; skipped -> `skipped`; StepDefinitionNotFoundError -> `undefined-step`; a failed Given/When ->
`early-failure`; an AssertionError in a Then -> `good-red`/`unwired-red`; ...), a collection-error
that plain pytest does not show, a test that only one side saw, and any difference between serial
and `-n 2`.

`break` applies, in the prepared copy (put back afterwards), the one-line sabotage of application code listed
for the project (a function made to return a wrong value), runs verify serially and prints which
scenarios turned red and with which verdict (the ones a red-phase tool should call good-red).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIRRORS = Path(os.environ.get("REDPHASE_MIRRORS", "/work/.mirror"))
DEFAULT_WORK = Path("/tmp/redphase-real")
TIMEOUT = 1200


@dataclass(frozen=True)
class Breakage:
    """Replace `old` (which must occur exactly once) by `new` in `path` of the project's source."""

    path: str
    old: str
    new: str
    what: str


@dataclass(frozen=True)
class Project:
    repo: str  # owner/name on GitHub
    commit: str
    name: str
    subdir: str = ""  # where pytest runs, inside the clone
    requirements: tuple[str, ...] = ()  # pip requirements besides redphase and pytest-xdist
    install_self: bool = False  # pip install -e the project itself
    pip_options: tuple[str, ...] = ()
    shims: tuple[tuple[str, str], ...] = ()  # (name, shell script) put in the venv's bin, on PATH
    paths: tuple[str, ...] = ()  # test paths, given to pytest and to `redphase verify PATHS`
    pytest_args: tuple[str, ...] = ()  # further pytest options, for both
    serial_args: tuple[str, ...] = ()  # options that make a run serial (a project whose addopts has -n)
    styles: str = ""
    breakage: Breakage | None = None
    env: dict[str, str] = field(default_factory=dict)


PROJECTS: tuple[Project, ...] = (
    Project(
        repo="jrnl-org/jrnl",
        commit="90de4948d79a4fca8c7238dd2487b599f458c903",
        name="jrnl",
        requirements=("parse-type>=0.6", "ipython", "pytest-clarity"),
        install_self=True,
        serial_args=("-n", "0"),
        styles="CLI; scenarios() per feature, steps in tests/lib via pytest_plugins, parsers.parse/re "
        "with custom types, many Scenario Outlines, target_fixture, xfail/skip markers from tags",
        breakage=Breakage(
            "jrnl/journals/Entry.py",
            '        date_str = self.date.strftime(self.journal.config["timeformat"])\n',
            '        date_str = "1999-12-31 23:59"\n',
            "Entry.__str__ writes every entry with the same wrong date",
        ),
    ),
    Project(
        repo="frankyxhl/fx_bin",
        commit="7212bbab4ac3c305368ea4f511a3cd3d0e55cd32",
        name="fx_bin",
        requirements=("pytest-cov", "pytest-timeout", "pytest-mock", "psutil", "hypothesis", "pytest-forked"),
        install_self=True,
        paths=("tests/bdd", "tests/unit"),
        styles="click CLI; scenarios() with bdd_features_base_dir, parsers.parse, conftest steps, "
        "strict markers from tags, pytest-cov and pytest-timeout in addopts",
        breakage=Breakage(
            "fx_bin/filter.py",
            "                extensions.append(ext)\n",
            "                extensions.append(ext + 'x')\n",
            "parse_extensions appends an 'x' to every extension",
        ),
    ),
    Project(
        repo="fdurieux/pumllint",
        commit="fc807a7d12d4f755e0a074d7cfe64510afece8d9",
        name="pumllint",
        requirements=("PyYAML",),
        install_self=True,
        paths=("tests/bdd",),
        styles="linter library + CLI; scenarios() and parsers.parse/re in tests/bdd/conftest.py",
        breakage=Breakage(
            "pumllint/scoring.py",
            "    return sum(ds.score * ds.weight for ds in dim_scores.values())\n",
            "    return 0.0\n",
            "composite_score returns 0.0",
        ),
    ),
    Project(
        repo="jcbianic/apicurio-serdes",
        commit="b94c5822782a6fab9d38c3908503697794eb8f10",
        name="apicurio-serdes",
        requirements=("pytest-asyncio", "pytest-cov", "respx", "pyyaml"),
        install_self=True,
        styles="library (src layout, httpx mocked with respx); @scenario per test, parsers.cfparse, "
        "target_fixture everywhere, async steps, coverage gate in addopts",
        breakage=Breakage(
            "src/apicurio_serdes/_base.py",
            'return f"/ids/{id_type}s/{id_value}"',
            'return f"/ids/{id_type}/{id_value}"',
            "the registry URL for a schema id loses its plural 's'",
        ),
    ),
    Project(
        repo="bubthegreat/semverer",
        commit="3f6a18c580e3fd5a6212c78f9e385c43c9bfaf35",
        name="semverer",
        requirements=("pytest-cov",),
        install_self=True,
        pip_options=("--ignore-requires-python",),  # it asks for 3.12; its code and tests run on 3.11
        styles="typer CLI (src layout); scenarios(), parsers.parse, steps in conftest, target_fixture",
        breakage=Breakage(
            "src/semverer/versioning.py",
            'return f"{major}.{minor}.{micro + 1}"',
            'return f"{major}.{minor}.{micro + 2}"',
            "a patch bump adds 2",
        ),
    ),
    Project(
        repo="d4daveshep/battleships",
        commit="991757fee379fb9d1e921de0f879b9583de85634",
        name="battleships",
        requirements=(
            "fastapi>=0.115",
            "starlette<0.47",
            "uvicorn",
            "jinja2",
            "python-multipart",
            "rich",
            "itsdangerous",
            "httpx",
            "bs4",
            "playwright",
            "pytest-asyncio",
        ),
        paths=(
            "tests/unit",
            "tests/endpoint",
            "tests/bdd/test_login_steps_fastapi.py",
            "tests/bdd/test_long_polling_steps_fastapi.py",
            "tests/bdd/test_multiplayer_lobby_steps_fastapi.py",
            "tests/bdd/test_multiplayer_ship_placement_steps_fastapi.py",
            "tests/bdd/test_ship_placement_steps_fastapi.py",
            "tests/bdd/test_start_game_confirmation_steps_fastapi.py",
        ),
        styles="FastAPI web app through starlette's TestClient (the *_browser twins need playwright "
        "browsers and are left out); scenarios(), parsers.parse, wip tag deselected in addopts",
        # An autouse fixture starts `uv run uvicorn main:app --host 0.0.0.0 --port 8000`: this shim
        # runs the venv's uvicorn on loopback instead, so nothing is downloaded.
        shims=(
            (
                "uv",
                '#!/bin/sh\n[ "$1" = run ] && shift\nprog="$1"; shift\n'
                'exec "$(dirname "$0")/$prog" $(echo "$@" | sed "s/0\\.0\\.0\\.0/127.0.0.1/g")\n',
            ),
        ),
        breakage=Breakage(
            "services/auth_service.py",
            "if not (2 <= len(clean_name) <= 20):",
            "if not (2 <= len(clean_name) <= 4):",
            "player names longer than 4 characters are rejected",
        ),
    ),
    Project(
        repo="ruthlesshelp/vending-machine-pytest-bdd",
        commit="d9324d9e0ae88fd1c922c043542802341f05b19d",
        name="vending-machine",
        styles="tiny library beside its tests (no package install, rootdir on sys.path); scenarios(), "
        "parsers.parse, target_fixture",
        breakage=Breakage(
            "vending/vending_machine.py",
            "                self.coin_return = amount - 50\n",
            "                self.coin_return = amount - 25\n",
            "buy_product computes the change wrongly",
        ),
    ),
    Project(
        repo="AutomationPanda/tau-pytest-bdd",
        commit="a8f8ee6bc57b75dd70b01ddf5b66b107ff1805e8",
        name="tau-pytest-bdd",
        requirements=("selenium",),  # its conftest imports selenium; no browser is started
        paths=("tests/step_defs/test_cucumbers_steps.py",),
        styles="module at the repository root (cucumbers.py); Scenario Outlines with parsers.cfparse "
        "and typed converters (the web and service features need a browser or the internet)",
        breakage=Breakage(
            "cucumbers.py",
            "        return self._count\n",
            "        return self._count + 1\n",
            "CucumberBasket.count is one too many",
        ),
    ),
    Project(
        repo="ChenYuTingJerry/flask-pytest-bdd",
        commit="c6d8efd46c5c1db2cc981d6bc016c849da6f093e",
        name="flask-pytest-bdd",
        requirements=("flask", "flask-restx"),
        styles="Flask + flask-restx app via app.test_client(); @scenario, plain-string steps, a Given "
        "that relies on the pre-6.0 'step name is a fixture' behaviour",
        breakage=Breakage(
            "app/apis/health.py",
            '{"status": "OK"}), 200',
            '{"status": "OK"}), 500',
            "GET /health answers 500",
        ),
    ),
    Project(
        repo="Docusland/python-comptes-bancaires",
        commit="5ac0bb93a33817d8760d9c02143b05fd69f521a3",
        name="comptes-bancaires",
        styles="small bank-account library in src/ imported as `src.account`; scenarios() on a folder, "
        "parsers.parse, a target_fixture Given that builds the account",
    ),
    Project(
        repo="pgallino/backend-base",
        commit="ead901ca244050e728e1cb3db10fcfa5c129f23d",
        name="backend-base",
        requirements=("fastapi", "httpx", "sqlalchemy", "alembic", "pydantic-settings"),
        styles="FastAPI + SQLAlchemy hexagonal app (routes named in Spanish) through TestClient; "
        "scenarios(), parsers.parse, steps that name the HTTP method",
    ),
    Project(
        repo="viperiorro/Design-Patterns-and-pytest-bdd",
        commit="9acf276a3228c4e2b608987d68039df476b31259",
        name="design-patterns",
        styles="five small design-pattern libraries in top-level folders (no package install); "
        "scenarios() per feature, parsers.parse, target_fixture chains",
    ),
    Project(
        repo="Pytest-with-Eric/pytest-bdd-example",
        commit="d99aba427880df8f612aa00b3acf1067ed1aa15e",
        name="pytest-with-eric",
        styles="no application code at all (state in a fixture dict); scenarios() and @scenario, "
        "parsers.parse, Scenario Outline, plain unit tests beside",
    ),
)

# --------------------------------------------------------------------------------------------------
# The probe plugin: written into each venv's site-packages and loaded with `-p`.

PROBE_NAME = "redphase_real_probe"
PROBE = r'''
"""Records, per test, what plain pytest saw. Written by redphase's benchmarks/real_projects.py."""
import json
import os

import pytest

_OUT = os.environ.get("REDPHASE_PROBE_OUT")
_tests = {}
_collect_errors = {}
_steps = {}


def _template(item):
    fn = getattr(item, "obj", None)
    if fn is None:
        return None
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry as registry
        found = registry.get(fn)
        if found is not None:
            return found
    except Exception:
        pass
    return getattr(fn, "__scenario__", None)


def pytest_collection_modifyitems(items):
    for item in items:
        template = _template(item)
        entry = _tests.setdefault(item.nodeid, {"phases": {}})
        entry["scenario"] = template is not None
        if template is not None:
            steps = list(getattr(template, "steps", []) or [])
            try:
                steps += list(template.all_background_steps)
            except Exception:
                pass
            entry["has_then"] = any(getattr(s, "type", "") == "then" for s in steps)


def pytest_collectreport(report):
    if report.failed:
        _collect_errors[report.nodeid] = str(report.longrepr).strip().splitlines()[-1:] or [""]


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception):
    _steps[request.node.nodeid] = {"type": step.type, "text": step.name, "undefined": False}


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception):
    _steps[request.node.nodeid] = {"type": step.type, "text": step.name, "undefined": True}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    entry = _tests.setdefault(item.nodeid, {"phases": {}})
    phase = {"outcome": report.outcome, "xfail": bool(getattr(report, "wasxfail", None) is not None)}
    if call.excinfo is not None:
        phase["exception"] = call.excinfo.typename
        phase["message"] = str(call.excinfo.value).strip().splitlines()[:1]
        tb = call.excinfo.tb
        last = None
        while tb is not None:
            last = tb.tb_frame.f_code.co_filename
            tb = tb.tb_next
        phase["innermost"] = last
    entry["phases"][report.when] = phase


def pytest_sessionfinish(session):
    if not _OUT:
        return
    for nodeid, step in _steps.items():
        _tests.setdefault(nodeid, {"phases": {}})["step"] = step
    with open(_OUT, "w", encoding="utf-8") as handle:
        json.dump(
            {"tests": _tests, "collection_errors": _collect_errors, "rootdir": str(session.config.rootpath)},
            handle,
        )
'''

# --------------------------------------------------------------------------------------------------


def mirror_of(project: Project) -> Path | None:
    base = MIRRORS / project.repo.replace("/", "+") / "repo"
    for candidate in (base, base / ".git"):
        if (candidate / "HEAD").is_file():
            return candidate
    return None


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> int:
    completed = subprocess.run(command, cwd=cwd, env=env, check=False)
    return completed.returncode


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python*/site-packages"))


def python_of(work: Path, project: Project) -> Path:
    return work / project.name / "venv" / "bin" / "python"


def source_of(work: Path, project: Project) -> Path:
    return work / project.name / "src"


def prepare(project: Project, work: Path) -> bool:
    mirror = mirror_of(project)
    src = source_of(work, project)
    if mirror is None and not src.exists():
        print(f"[{project.name}] no snapshot under {MIRRORS}: fetch github:{project.repo} first")
        return False
    if not src.exists():
        src.parent.mkdir(parents=True, exist_ok=True)
        if run(["git", "clone", "-q", "--no-checkout", str(mirror), str(src)]) != 0:
            return False
    if run(["git", "-C", str(src), "checkout", "-q", "--force", project.commit]) != 0:
        print(f"[{project.name}] commit {project.commit} is not in the snapshot")
        return False
    venv = work / project.name / "venv"
    if not (venv / "bin" / "python").exists() and run([sys.executable, "-m", "venv", str(venv)]) != 0:
        return False
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        *project.pip_options,
    ]
    requirements = ["-e", str(REPO), "pytest-xdist", *project.requirements]
    if project.install_self:
        requirements += ["-e", str(src)]
    completed = subprocess.run([*pip, *requirements], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        print(f"[{project.name}] pip install failed:\n{completed.stderr[-3000:]}")
        return False
    (site_packages(venv) / f"{PROBE_NAME}.py").write_text(PROBE.lstrip(), encoding="utf-8")
    for shim, script in project.shims:
        (venv / "bin" / shim).write_text(script, encoding="utf-8")
        (venv / "bin" / shim).chmod(0o755)
    print(f"[{project.name}] ready in {work / project.name}")
    return True


# --------------------------------------------------------------------------------------------------

_INFRA = {
    "ConnectionRefusedError",
    "ConnectionError",
    "ConnectError",
    "ConnectTimeout",
    "TimeoutError",
    "timeout",
    "OperationalError",
    "Timeout",
}
_FIXTURE = {"FixtureLookupError"}
_SUMMARY = re.compile(r"(\d+) (passed|failed|skipped|xfailed|xpassed|errors?|deselected|warnings?)")


def is_test_file(path: str | None) -> bool | None:
    """Whether a traceback's innermost file is test code (None: neither the project's nor known)."""
    if not path:
        return None
    name = os.path.basename(path)
    parts = set(Path(path).parts)
    if "site-packages" in parts or path.startswith("<"):
        return None
    return bool(name.startswith("test_") or name == "conftest.py" or parts & {"tests", "test", "step_defs"})


def expected_verdicts(test: dict[str, object]) -> tuple[set[str], str]:
    """The verdicts that agree with what plain pytest saw, and that in words."""
    phases: dict[str, dict[str, object]] = test.get("phases", {})  # type: ignore[assignment]
    scenario = bool(test.get("scenario"))
    setup, call, teardown = phases.get("setup", {}), phases.get("call", {}), phases.get("teardown", {})
    if any(p.get("outcome") == "skipped" and not p.get("xfail") for p in phases.values()):
        return {"skipped"}, "skipped"
    if setup.get("outcome") == "failed":
        exc = str(setup.get("exception"))
        if not scenario:
            return {"not-scenario", "fixture-error", "infrastructure-error"}, f"plain test, setup {exc}"
        return ({"infrastructure-error"} if exc in _INFRA else {"fixture-error"}), f"setup failed: {exc}"
    if not scenario:
        return {"not-scenario"}, f"plain test, {call.get('outcome', 'not run')}"
    failed = call.get("outcome") == "failed" or (call.get("outcome") == "skipped" and call.get("xfail"))
    if not failed:
        if teardown.get("outcome") == "failed":
            return {"teardown-error"}, "teardown failed"
        return ({"passed"} if test.get("has_then", True) else {"no-outcome"}), "passed"
    exc = str(call.get("exception"))
    step: dict[str, object] = test.get("step") or {}  # type: ignore[assignment]
    what = f"{exc} in {step.get('type', 'no step')} step"
    if step.get("undefined") or exc == "StepDefinitionNotFoundError":
        return {"undefined-step"}, "StepDefinitionNotFoundError"
    if exc in _INFRA:
        return {"infrastructure-error"}, what
    if exc == "NotImplementedError":
        return {"pending"}, what
    if exc in _FIXTURE:
        return {"fixture-error"}, what
    if not step:
        return {"test-error"}, f"{exc} outside the steps"
    if step.get("type") in ("given", "when"):
        return {"early-failure"}, what
    if exc != "AssertionError":
        return {"test-error"}, what
    in_tests = is_test_file(str(call.get("innermost") or ""))
    if in_tests is False:
        return {"test-error"}, f"{what}, raised in application code"
    if in_tests is None:
        return {"good-red", "unwired-red", "test-error"}, what
    return {"good-red", "unwired-red"}, what


def pytest_counts(output: str) -> str:
    lines = [line for line in output.splitlines() if _SUMMARY.search(line)]
    if not lines:
        return "no summary line"
    return ", ".join(f"{n} {w}" for n, w in _SUMMARY.findall(lines[-1]))


def environment(project: Project, work: Path, **extra: str) -> dict[str, str]:
    """The project's environment: its venv's bin first on PATH (where its shims are)."""
    path = f"{python_of(work, project).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return dict(os.environ, PATH=path, **project.env, **extra)


def run_plain(project: Project, work: Path, out: Path) -> tuple[str, dict[str, object], float]:
    src = source_of(work, project) / project.subdir
    env = environment(project, work, REDPHASE_PROBE_OUT=str(out))
    command = [
        str(python_of(work, project)),
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        PROBE_NAME,
        *project.serial_args,
        *project.pytest_args,
        *project.paths,
    ]
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=src, env=env, capture_output=True, text=True, check=False, timeout=TIMEOUT
    )
    elapsed = time.perf_counter() - start
    log = completed.stdout + completed.stderr
    (out.parent / "plain.log").write_text(log, encoding="utf-8")
    probe: dict[str, object] = json.loads(out.read_text()) if out.is_file() else {}
    # A conftest that fails to import stops pytest before any collection hook of the probe runs.
    for conftest in re.findall(r"ImportError while loading conftest '([^']+)'", log):
        errors = probe.setdefault("collection_errors", {})
        assert isinstance(errors, dict)
        errors[os.path.relpath(conftest, src)] = "ImportError while loading conftest"
    return f"exit {completed.returncode}: {pytest_counts(completed.stdout)}", probe, elapsed


def run_verify(
    project: Project, work: Path, out: Path, xdist: bool, src: Path | None = None, jobs: int = 1
) -> tuple[int, list[dict[str, object]], float]:
    where = (src or source_of(work, project)) / project.subdir
    extra = ["-n", "2"] if xdist else list(project.serial_args)
    command = [
        str(python_of(work, project)),
        "-m",
        "redphase",
        "verify",
        *project.paths,
        "--json",
        str(out),
        f"--jobs={jobs}",
        "--",
        "-p",
        "no:cacheprovider",
        *extra,
        *project.pytest_args,
    ]
    start = time.perf_counter()
    completed = subprocess.run(
        command,
        cwd=where,
        env=environment(project, work),
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )
    elapsed = time.perf_counter() - start
    out.with_suffix(".log").write_text(completed.stdout + completed.stderr, encoding="utf-8")
    results: list[dict[str, object]] = []
    if out.is_file():
        results = list(json.loads(out.read_text()).get("results", []))
    else:
        print(f"    verify wrote no JSON (exit {completed.returncode}): {completed.stderr.strip()[-500:]}")
    return completed.returncode, results, elapsed


def summary_of(results: list[dict[str, object]]) -> str:
    counts = Counter(str(r["verdict"]) for r in results)
    return ", ".join(f"{counts[k]} {k}" for k in sorted(counts))


def short(value: object, limit: int = 160) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def compare(probe: dict[str, object], results: list[dict[str, object]]) -> list[str]:
    tests: dict[str, dict[str, object]] = probe.get("tests", {})  # type: ignore[assignment]
    plain_errors: dict[str, object] = probe.get("collection_errors", {})  # type: ignore[assignment]
    by_id = {str(r["nodeid"]): r for r in results}
    lines: list[str] = []
    for nodeid, result in sorted(by_id.items()):
        verdict = str(result["verdict"])
        detail = f"why={short(result.get('why'))!r} exc={result.get('exception')} msg={short(result.get('message'))!r}"
        if verdict == "collection-error":
            if nodeid not in plain_errors:
                lines.append(f"collection-error not in plain pytest: {nodeid}: {detail}")
            continue
        test = tests.get(nodeid)
        if test is None:
            lines.append(f"only in verify: {nodeid} -> {verdict}: {detail}")
            continue
        allowed, what = expected_verdicts(test)
        xfail = any(bool(p.get("xfail")) for p in test.get("phases", {}).values())  # type: ignore[attr-defined]
        if verdict not in allowed:
            lines.append(
                f"{nodeid}: plain {what} -> {verdict} (expected {'/'.join(sorted(allowed))}): {detail}"
            )
        elif xfail and verdict not in ("skipped", "passed") and not result.get("xfail"):
            lines.append(f"{nodeid}: xfailed in plain pytest, verdict {verdict} lacks xfail: true")
    for nodeid in sorted(set(tests) - set(by_id)):
        if tests[nodeid].get("phases"):
            lines.append(f"only in plain pytest: {nodeid} ({expected_verdicts(tests[nodeid])[1]})")
    for nodeid in sorted(set(plain_errors) - set(by_id)):
        lines.append(f"plain collection error without a verdict: {nodeid}: {plain_errors[nodeid]}")
    return lines


def compare_runs(
    serial: list[dict[str, object]], parallel: list[dict[str, object]], name: str = "-n 2"
) -> list[str]:
    a = {str(r["nodeid"]): str(r["verdict"]) for r in serial}
    b = {str(r["nodeid"]): str(r["verdict"]) for r in parallel}
    lines = [
        f"{n}: serial {a.get(n)} / {name} {b.get(n)}" for n in sorted(set(a) | set(b)) if a.get(n) != b.get(n)
    ]
    return lines


def _without_addresses(results: list[dict[str, object]]) -> str:
    return re.sub(r"0x[0-9a-f]+", "0x?", json.dumps(results, sort_keys=True))


def compare_jobs(serial: list[dict[str, object]], jobs: list[dict[str, object]]) -> list[str]:
    """--jobs promises the serial run's results whole, in the same order, not only its verdicts."""
    lines = compare_runs(serial, jobs, "--jobs 2")
    if not lines and _without_addresses(serial) != _without_addresses(jobs):
        order = [str(r["nodeid"]) for r in serial] == [str(r["nodeid"]) for r in jobs]
        lines.append("the same verdicts, but " + ("other fields differ" if order else "in another order"))
    return lines


def run_project(project: Project, work: Path, xdist: bool) -> dict[str, object]:
    out = work / project.name / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    src = source_of(work, project)
    run(["git", "-C", str(src), "checkout", "-q", "--force", project.commit])
    run(["git", "-C", str(src), "clean", "-qfdx"])
    print(f"\n=== {project.name} ({project.repo} @ {project.commit[:10]})")
    counts, probe, t_plain = run_plain(project, work, out / "probe.json")
    print(f"  plain pytest: {counts}  [{t_plain:.1f}s]")
    record: dict[str, object] = {"name": project.name, "plain": counts}
    code, serial, t_serial = run_verify(project, work, out / "verify-serial.json", xdist=False)
    print(f"  verify serial: exit {code}: {summary_of(serial)}  [{t_serial:.1f}s]")
    mismatches = compare(probe, serial)
    record.update(verify_serial=summary_of(serial), mismatches=mismatches)
    if xdist:
        run(["git", "-C", str(src), "clean", "-qfdx"])
        code, parallel, t_par = run_verify(project, work, out / "verify-n2.json", xdist=True)
        print(f"  verify -n 2:  exit {code}: {summary_of(parallel)}  [{t_par:.1f}s]")
        differences = compare_runs(serial, parallel)
        record.update(verify_n2=summary_of(parallel), serial_vs_n2=differences)
        extra = [m for m in compare(probe, parallel) if m not in mismatches]
        record["mismatches_n2_only"] = extra
    run(["git", "-C", str(src), "clean", "-qfdx"])
    code, sharded, t_jobs = run_verify(project, work, out / "verify-jobs2.json", xdist=False, jobs=2)
    print(f"  verify --jobs 2: exit {code}: {summary_of(sharded)}  [{t_jobs:.1f}s]")
    record.update(verify_jobs2=summary_of(sharded), serial_vs_jobs2=compare_jobs(serial, sharded))
    print(f"  mismatches (serial): {len(mismatches)}")
    for line in mismatches:
        print(f"    - {line}")
    titles = [("serial_vs_jobs2", "serial vs --jobs 2")]
    if xdist:
        titles += [("mismatches_n2_only", "mismatches only with -n 2"), ("serial_vs_n2", "serial vs -n 2")]
    for key, title in titles:
        lines = record[key]
        assert isinstance(lines, list)
        print(f"  {title}: {len(lines)}")
        for line in lines:
            print(f"    - {line}")
    return record


def break_project(project: Project, work: Path) -> None:
    """Sabotage one application function in the prepared copy, verify, and put the copy back."""
    if project.breakage is None:
        print(f"\n=== {project.name}: no breakage listed")
        return
    out = work / project.name / "out"
    out.mkdir(parents=True, exist_ok=True)
    src = source_of(work, project)
    run(["git", "-C", str(src), "checkout", "-q", "--force", project.commit])
    run(["git", "-C", str(src), "clean", "-qfdx"])
    target = src / project.breakage.path
    text = target.read_text(encoding="utf-8")
    if text.count(project.breakage.old) != 1:
        print(f"\n=== {project.name}: the breakage's text is not found once in {project.breakage.path}")
        return
    print(f"\n=== {project.name}: {project.breakage.what} ({project.breakage.path})")
    baseline_file = out / "verify-serial.json"
    baseline: dict[str, str] = {}
    if baseline_file.is_file():
        results = json.loads(baseline_file.read_text())["results"]
        baseline = {str(r["nodeid"]): str(r["verdict"]) for r in results}
    try:
        target.write_text(text.replace(project.breakage.old, project.breakage.new), encoding="utf-8")
        code, broken, elapsed = run_verify(project, work, out / "verify-broken.json", xdist=False)
    finally:
        run(["git", "-C", str(src), "checkout", "-q", "--force", "--", project.breakage.path])
    print(f"  verify: exit {code}: {summary_of(broken)}  [{elapsed:.1f}s]")
    changed = Counter[str]()
    for result in broken:
        nodeid, verdict = str(result["nodeid"]), str(result["verdict"])
        before = baseline.get(nodeid)
        if before != verdict:
            changed[f"{before} -> {verdict}"] += 1
            shown = sum(changed.values()) <= 10  # the transitions below count them all
            if verdict != "good-red" and shown:
                why = (
                    f"{short(result.get('why'))} / {result.get('exception')}: {short(result.get('message'))}"
                )
                print(f"    - {nodeid}: {before} -> {verdict}: {why}")
    for transition, count in sorted(changed.items()):
        print(f"  {count:4d} x {transition}")


def _pytest_command(project: Project, work: Path, *args: str) -> list[str]:
    return [
        str(python_of(work, project)),
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *project.serial_args,
        *project.pytest_args,
        *args,
        *project.paths,
    ]


def this_checkout(project: Project, work: Path) -> dict[str, str]:
    """The project's environment, with this checkout's redphase first on sys.path."""
    env = environment(project, work)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH", "")]))
    return env


def check_steps(project: Project, work: Path) -> bool:
    """Every step looked up both by redphase's step index and by pytest-bdd: how many differ."""
    completed = subprocess.run(
        _pytest_command(project, work, "--redphase", "--redphase-step-index=check"),
        cwd=source_of(work, project) / project.subdir,
        env=this_checkout(project, work),
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )
    found = re.search(r"redphase step index check: (\d+) lookups, (\d+) differ.*", completed.stderr, re.S)
    if found is None:
        print(f"[{project.name}] no check line (exit {completed.returncode}): {completed.stderr[-500:]}")
        return False
    print(f"[{project.name}] {found.group(0).strip()}", flush=True)
    return found.group(2) == "0"


def green_ratio(
    project: Project, work: Path, repeat: int, lock: bool = False, phase: str = "red"
) -> list[float]:
    """`redphase verify` ÷ plain pytest on the project as it is, alternating which goes first.

    Without `lock`, verify runs with `--no-lock`, so that the project's tree is left as it was; with
    it, verify runs as a user's plain `redphase verify` does, watching the test code each scenario
    runs for the lock (and writing `redphase.lock` into the project). `phase` "green" runs
    `verify --phase green`, which judges each test against the lock and writes none."""
    where = source_of(work, project) / project.subdir
    env = this_checkout(project, work)
    plain = _pytest_command(project, work)
    ours = [
        str(python_of(work, project)),
        "-m",
        "redphase",
        "verify",
        *project.paths,
        *([] if lock or phase == "green" else ["--no-lock"]),
        f"--phase={phase}",
        "--",
        "-q",
        "-p",
        "no:cacheprovider",
        *project.serial_args,
        *project.pytest_args,
    ]

    def seconds(command: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(command, cwd=where, env=env, capture_output=True, check=False, timeout=TIMEOUT)
        return time.perf_counter() - start

    values = []
    for number in range(repeat):
        if number % 2:
            theirs = seconds(plain)
            values.append(seconds(ours) / theirs)
        else:
            mine = seconds(ours)
            values.append(mine / seconds(plain))
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("prepare", "run", "break", "list", "steps", "ratio"))
    parser.add_argument("--repeat", type=int, default=5, help="ratio: runs of each side")
    parser.add_argument("names", nargs="*", help="project names (default: all)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--no-xdist", action="store_true", help="skip the -n 2 run")
    parser.add_argument("--json", type=Path, help="write run's records here")
    parser.add_argument(
        "--lock", action="store_true", help="ratio: verify with its lock, as a plain `redphase verify` runs"
    )
    parser.add_argument("--phase", choices=("red", "green"), default="red", help="ratio: verify's --phase")
    args = parser.parse_args(argv)
    chosen = [p for p in PROJECTS if not args.names or p.name in args.names]
    if args.names and len(chosen) != len(set(args.names)):
        known = ", ".join(p.name for p in PROJECTS)
        parser.error(f"unknown project name; known: {known}")
    work: Path = args.work.resolve()
    if args.command == "list":
        for project in chosen:
            print(f"{project.name:18} {project.repo}@{project.commit[:10]}  {project.styles}")
        return 0
    if args.command == "prepare":
        ok = [prepare(project, work) for project in chosen]
        return 0 if all(ok) else 1
    ready = [p for p in chosen if python_of(work, p).exists()]
    for project in [p for p in chosen if p not in ready]:
        print(f"[{project.name}] not prepared: run `prepare` first")
    if args.command == "break":
        for project in ready:
            break_project(project, work)
        return 0
    if args.command == "steps":
        checked = [check_steps(project, work) for project in ready]
        return 0 if all(checked) else 1
    if args.command == "ratio":
        print(f"python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}")
        for project in ready:
            values = green_ratio(project, work, args.repeat, args.lock, args.phase)
            label = " --phase green" if args.phase == "green" else " (lock)" if args.lock else ""
            print(
                f"[{project.name}] verify{label} / plain pytest: min {min(values):.3f}  median "
                f"{statistics.median(values):.3f}  max {max(values):.3f}  (load {os.getloadavg()[0]:.2f})",
                flush=True,
            )
        return 0
    records = [run_project(project, work, xdist=not args.no_xdist) for project in ready]
    if args.json:
        args.json.write_text(json.dumps(records, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
