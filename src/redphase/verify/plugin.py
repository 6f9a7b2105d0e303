"""The pytest plugin behind `pytest --redphase` and `redphase verify`.

Where a test runs (this process, or a pytest-xdist worker), the plugin records what pytest-bdd's
step hooks saw and what each phase raised, as plain data on the report. Where reports arrive (this
process, or the xdist controller), it judges every test and writes the summary, JSON and report.
"""

from __future__ import annotations

import glob
import os
import sys
import time
from collections.abc import Generator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from redphase.verify import exceptions as exc_info
from redphase.verify import junit
from redphase.verify.appcode import AppCodeWatch, ApplicationCode
from redphase.verify.classify import PhaseRecord, ScenarioRecord
from redphase.verify.collector import PROPERTY, Collector, RunSettings, encode_json, relative_to_root
from redphase.verify.report import write_text_atomically
from redphase.verify.shards import ShardPlan, Share
from redphase.verify.startup import StartupFailure
from redphase.verify.step_index import MODES, SUPPORTED, StepIndex, chosen_mode
from redphase.verify.testcode import TestCode, TestCodeWatch

if TYPE_CHECKING:
    from redphase.config import Config


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("redphase", "red-phase verdicts (redphase)")
    group.addoption("--redphase", action="store_true", help="give every scenario a red-phase verdict")
    group.addoption("--redphase-json", metavar="FILE", help="write the verdicts as JSON")
    group.addoption("--redphase-report", metavar="FILE", help="write the Markdown gaps report")
    group.addoption("--redphase-messages", metavar="FILE", help="write the run as Cucumber Messages (NDJSON)")
    group.addoption("--redphase-html", metavar="FILE", help="write the self-contained HTML report")
    group.addoption(
        "--redphase-allow-unwired", action="store_true", help="count unwired-red as good for the exit status"
    )
    group.addoption(
        "--redphase-app", action="append", default=[], metavar="PACKAGE", help="application package"
    )
    group.addoption(
        "--redphase-lock",
        action="store_true",
        help="red phase: record every good red in redphase.lock; green phase: judge against it",
    )
    group.addoption(
        "--redphase-phase",
        choices=("red", "green"),
        default="red",
        help="red (the default) or green: prove that the locked good reds now pass, untouched",
    )
    group.addoption(
        "--redphase-relock",
        action="append",
        default=[],
        metavar="NODEID",
        help="replace this scenario's lock entry, if it is good-red in this run",
    )
    group.addoption(
        "--redphase-shard",
        metavar="K/N",
        help="collect only the K-th of N shares of the test files, and write what was gathered, "
        "unjudged, to --redphase-json (how `redphase verify --jobs N` runs each of its shards)",
    )
    group.addoption(
        "--redphase-shard-records",
        action="store_true",
        help="with --redphase-shard: send what Cucumber Messages and the HTML report need of each test",
    )
    group.addoption(
        "--redphase-step-index",
        choices=MODES,
        default=None,
        help=f"find steps through an index (pytest-bdd {SUPPORTED} only), or pytest-bdd's own lookup (off), "
        "or both, counting differences (check)",
    )


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> Generator[None, None, None]:
    """A conftest or plugin that fails to load before collection still gets its verdict.

    pytest stops before any hook of the session runs, so the verdict is written here, and the
    error goes on to pytest, which reports it and exits as it always does.
    """
    try:
        return (yield)
    except Exception as error:
        options = early_config.known_args_namespace
        if getattr(options, "redphase", False) and not (options.help or options.version):
            StartupFailure(early_config, error).write()
        raise


# First, so that a shard's settings are in place before pytest-xdist decides to start workers.
@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("redphase"):
        return
    refusal = refusal_reason(config.getoption("assertmode"))
    if config.getoption("redphase_shard"):
        refusal = refusal or _shard_refusal(config)
    if refusal:
        raise pytest.UsageError(refusal)
    if config.option.tbstyle == "auto":
        # The verdict summary says what failed where; drawing every red's long traceback was most of
        # a red suite's run time. `--tb=long` (or short) brings pytest's own back.
        config.option.tbstyle = "line"
    config.pluginmanager.register(RedphaseSession(config), "redphase-session")


def _shard_refusal(config: pytest.Config) -> str:
    """Why this run cannot be one shard of `redphase verify --jobs`, from the options as pytest
    parsed them (the command line, `addopts`, PYTEST_ADDOPTS); pytest-xdist is turned off."""
    if not config.getoption("redphase_json"):
        return "--redphase-shard writes what its share gathered to --redphase-json FILE: give one"
    if getattr(config.option, "xmlpath", None):
        return "redphase verify --jobs does not combine with --junitxml (here from the project's settings or PYTEST_ADDOPTS): every shard would write the same file; run verify without --jobs"
    if getattr(config.option, "maxfail", 0):
        return "redphase verify --jobs does not combine with -x or --maxfail: each shard would stop at its own failures, so the run would differ from a serial one"
    # Each shard is one process, and N of them already use the cores: no xdist workers of their own,
    # whatever -n the project's addopts set.
    if hasattr(config.option, "numprocesses"):
        config.option.numprocesses = 0
        config.option.dist = "no"
        config.option.tx = []
    return ""


def refusal_reason(assert_mode: str) -> str:
    if sys.flags.optimize:
        return "redphase refuses to run under `python -O`: assert statements are removed, so no red could be good"
    if assert_mode == "plain":
        return "redphase refuses to run with --assert=plain: assertion details vanish and verdicts would be guesses"
    return ""


def is_health_check(item: pytest.Item, is_scenario: bool = False) -> bool:
    """The `health_check` marker decides; without it, a plain test named for health is one. A
    scenario is judged as a scenario, whatever its module is called."""
    if item.get_closest_marker("health_check") is not None:
        return True
    name = item.name.split("[")[0]
    module = Path(str(getattr(item, "path", item.nodeid))).name
    return not is_scenario and ("health" in name or "health" in module)


def _scenario_template(item: pytest.Item) -> Any:
    function = getattr(item, "obj", None)
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry

        template = scenario_wrapper_template_registry.get(function)  # type: ignore[arg-type]
    except (ImportError, TypeError):
        template = None
    return template or getattr(function, "__scenario__", None)


def _step_data(step: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "keyword": str(step.keyword).strip(),
        "type": step.type,
        "text": step.name,
        "line": step.line_number,
    }
    # What the step carries decides the parameters of the step definition a hint proposes.
    if getattr(step, "datatable", None) is not None:
        data["datatable"] = True
    if getattr(step, "docstring", None) is not None:
        data["docstring"] = True
    return data


def application_code(config: pytest.Config) -> tuple[ApplicationCode, Config]:
    """The application, as `--redphase-app`, else `[tool.redphase] app`, else the default, decides;
    and the project's configuration it was read from."""
    from redphase.config import load_config
    from redphase.diagnostics import UsageError

    rootdir = Path(str(config.rootpath))
    try:
        project = load_config(rootdir)
    except UsageError as error:
        raise pytest.UsageError(str(error)) from error
    test_dirs = [project.tests]
    for entry in config.getini("testpaths"):
        test_dirs += [Path(found) for found in glob.glob(str(rootdir / entry))]
    test_dirs = [path for path in test_dirs if path.resolve() != rootdir.resolve()]
    code = ApplicationCode(
        rootdir,
        config.getoption("redphase_app") or project.app_packages,
        test_dirs,
        config.getini("python_files"),
    )
    return code, project


def _harness_in_reach(request: Any) -> bool:
    """Whether the failing test can request a `system` fixture (redphase's harness)."""
    try:
        return bool(request._fixturemanager.getfixturedefs("system", request.node))
    except Exception:  # a pytest without this lookup: assume no harness, the plainer hint is still right
        return False


class RedphaseSession:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.rootdir = Path(str(config.rootpath))
        code, project = application_code(config)
        self.watch = AppCodeWatch(code)
        self.scenarios: dict[str, ScenarioRecord] = {}
        self.step_codes: dict[str, Any] = {}
        # The step whose function is running, by test: set before its call, cleared after it.
        self.running_step: dict[str, Any] = {}
        self._relative_paths: dict[str, str] = {}
        self.definitions = StepDefinitions()
        # Each step's status, timing and definition feed only Cucumber Messages and the HTML page:
        # a run that writes neither records none of it.
        self.record_steps = bool(
            config.getoption("redphase_messages")
            or config.getoption("redphase_html")
            or config.getoption("redphase_shard_records")
        )
        self.collector = (
            None if hasattr(config, "workerinput") else Collector(RunSettings.of(config, self.rootdir))
        )
        self.shard = _shard_plan(config, self.rootdir)
        # redphase.lock: which test code each scenario ran, recorded only when the lock is used.
        self.lock_on = (
            bool(config.getoption("redphase_lock")) or config.getoption("redphase_phase") == "green"
        )
        self.test_code = TestCode(self.watch.is_app_file)
        self.code_watch = TestCodeWatch(self.test_code) if self.lock_on else None
        self.lock_data: dict[str, dict[str, Any]] = {}
        # The same watch, switched on around fixtures and the call only where the functions a test
        # ran go into new lock entries: the green phase compares the locked functions' sources, and
        # each test's Gherkin, steps and fixtures, none of which needs it running (on Python 3.11 a
        # profile hook, most of a green suite's overhead).
        green = config.getoption("redphase_phase") == "green"
        self.function_watch = None if green else self.code_watch
        try:
            self.step_index = StepIndex(
                chosen_mode(config.getoption("redphase_step_index"), project.step_index)
            )
        except ValueError as error:
            raise pytest.UsageError(str(error)) from error
        self.step_index.install()

    def _relative(self, filename: str) -> str:
        known = self._relative_paths.get(filename)
        if known is None:
            known = self._relative_paths[filename] = relative_to_root(str(filename), self.rootdir)
        return known

    # -- where tests run ------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.code_watch is not None:
            self.code_watch.begin()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: Any) -> Generator[None, Any, None]:
        watch = self.function_watch
        if watch is None:
            yield
            return
        watch.resume()
        mark = watch.mark()
        try:
            yield
        finally:
            watch.by_fixture[id(fixturedef)] = watch.since(mark)
            watch.pause()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, None]:
        watch = self.function_watch
        if watch is None:
            yield
            return
        watch.resume()
        try:
            yield
        finally:
            watch.pause()

    def _lock_record(self, item: pytest.Item) -> dict[str, Any] | None:
        """What the lock needs of this scenario: its Gherkin, and the test code it ran (each function
        by its `code_identity`; `lock.resolved` names them by key where reports arrive)."""
        record = self.lock_data.get(item.nodeid)
        if record is None or self.code_watch is None:
            return None
        watch = self.code_watch
        used = getattr(getattr(item, "_request", None), "_fixture_defs", {}) or {}
        for fixturedef in list(used.values()):
            watch.add(watch.by_fixture.get(id(fixturedef), []))
        # Every fixture the test used (requested by name, by a step, or autouse) that is test code.
        fixtures: dict[str, str] = {}
        for name, fixturedef in sorted(used.items()):
            function = getattr(fixturedef, "func", None)
            code = getattr(getattr(function, "__wrapped__", function), "__code__", None)
            identity = self.test_code.identity(code) if code is not None else None
            if identity is not None:
                fixtures[str(name)] = identity
        return {**record, "functions": watch.end(), "fixtures": fixtures}

    # pytest-bdd's hooks: a run with pytest-bdd turned off (-p no:pytest-bdd) has none to call.
    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_before_scenario(self, request: Any, feature: Any, scenario: Any) -> None:
        self.watch.reset()
        if self.code_watch is not None:
            self.lock_data[request.node.nodeid] = {
                "gherkin": gherkin_lines(scenario, request.node),
                "line": scenario.line_number,
                "steps": [],
            }
        self.scenarios[request.node.nodeid] = ScenarioRecord(
            feature=feature.name,
            feature_file=self._relative(feature.filename),
            scenario=scenario.name,
            line=scenario.line_number,
            has_then=any(step.type == "then" for step in scenario.steps),
            when_steps=[_step_data(step) for step in scenario.steps if step.type == "when"],
            started_ns=time.time_ns(),
        )

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_before_step(self, request: Any, step: Any, step_func: Any, **_: Any) -> None:
        record = self.scenarios.get(request.node.nodeid) if self.record_steps else None
        if record is not None:
            record.steps.append(
                {
                    "line": step.line_number,
                    "status": "",
                    "start_ns": time.time_ns(),
                    "duration_ns": 0,
                    "definition": self.definitions.find(step, step_func, self._relative),
                }
            )

    def _end_step(self, nodeid: str, status: str) -> None:
        record = self.scenarios.get(nodeid)
        if record is not None and record.steps and not record.steps[-1]["status"]:
            last = record.steps[-1]
            last["status"] = status
            last["duration_ns"] = max(0, time.time_ns() - last["start_ns"])

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_before_step_call(self, request: Any, step: Any, step_func: Any, **_: Any) -> None:
        self.step_codes[request.node.nodeid] = getattr(step_func, "__code__", None)
        self.running_step[request.node.nodeid] = step
        record = self.lock_data.get(request.node.nodeid)
        if record is not None:
            code = getattr(step_func, "__code__", None)
            identity = self.test_code.identity(code) if code is not None else None
            record["steps"].append([f"{str(step.keyword).strip()} {step.name}", identity or ""])
        self.watch.start()

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_after_step(self, request: Any, **_: Any) -> None:
        self.running_step.pop(request.node.nodeid, None)
        self._stop_watch(request.node.nodeid)
        self._end_step(request.node.nodeid, "passed")

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_step_error(self, request: Any, step: Any, step_func: Any, **_: Any) -> None:
        self.running_step.pop(request.node.nodeid, None)
        self._stop_watch(request.node.nodeid)
        self._end_step(request.node.nodeid, "failed")
        record = self.scenarios.get(request.node.nodeid)
        if record is not None:
            record.failed_step = _step_data(step)
        self.step_codes[request.node.nodeid] = getattr(step_func, "__code__", None)

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_step_func_lookup_error(self, request: Any, step: Any, **_: Any) -> None:
        record = self.scenarios.get(request.node.nodeid)
        if record is not None:
            record.undefined_step = {**_step_data(step), "harness": _harness_in_reach(request)}
            record.failed_step = _step_data(step)

    def _stop_watch(self, nodeid: str) -> None:
        self.watch.stop()
        record = self.scenarios.get(nodeid)
        if record is not None and (self.watch.ran or record.app_ran_in):
            # A subprocess counted at an earlier step may have been withdrawn since (see AppCodeWatch).
            record.app_ran = self.watch.ran
            record.app_ran_in = self.watch.ran_in

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        running = self.running_step.pop(item.nodeid, None)
        if running is not None and call.excinfo is not None:
            # pytest-bdd tells of a failed step only for an Exception: a SystemExit (a click command
            # called directly, sys.exit in the application) left the step unnamed.
            self._stop_watch(item.nodeid)
            self._end_step(item.nodeid, "failed")
            record = self.scenarios.get(item.nodeid)
            if record is not None and record.failed_step is None:
                record.failed_step = _step_data(running)
        self.watch.stop()
        # A passing setup or teardown says nothing the verdict needs: only the call, and any phase
        # that did not pass, carry data. Reports live until the session ends, so they stay small.
        if call.when == "call" or report.outcome != "passed":
            data: dict[str, Any] = {"phase": asdict(self._phase(report, call, item.nodeid))}
            scenario = self.scenarios.get(item.nodeid) or self._scenario_from_template(item)
            data["health"] = is_health_check(item, scenario is not None)
            if scenario is not None:
                data["scenario"] = asdict(scenario)
            if call.when != "teardown":
                recorded = self._lock_record(item)
                if recorded is not None:
                    data["lock"] = recorded
            # One JSON string, not the nested dict: xdist's serialiser (pure Python) walks every
            # object of each report a worker sends, and ours were nearly half of each call report.
            report.user_properties = [*report.user_properties, (PROPERTY, encode_json(data))]
        if call.when == "teardown":
            self.scenarios.pop(item.nodeid, None)
            self.step_codes.pop(item.nodeid, None)
            self.lock_data.pop(item.nodeid, None)
            if self.code_watch is not None:
                self.code_watch.end()

    def _scenario_from_template(self, item: pytest.Item) -> ScenarioRecord | None:
        template = _scenario_template(item)
        if template is None:
            return None
        return ScenarioRecord(
            feature=template.feature.name,
            feature_file=self._relative(template.feature.filename),
            scenario=template.name,
            line=template.line_number,
            has_then=any(step.type == "then" for step in template.steps),
            when_steps=[_step_data(step) for step in template.steps if step.type == "when"],
        )

    def _phase(self, report: pytest.TestReport, call: pytest.CallInfo[None], nodeid: str) -> PhaseRecord:
        xfail = hasattr(report, "wasxfail") or _is_strict_xpass(report, call)
        phase = PhaseRecord(when=report.when, outcome=report.outcome, xfail=xfail)
        if call.excinfo is None:
            if xfail and report.outcome == "failed":
                phase.outcome = "passed"  # a strict xfail that passed: pytest fails it, it passed
            return phase
        if xfail and report.outcome == "skipped":
            if call.excinfo.errisinstance(pytest.xfail.Exception):
                return phase  # pytest.xfail() called on purpose: an expected failure, declared
            # pytest's xfail swallows any exception: judge what really happened.
            phase.outcome = "failed"
        elif report.outcome != "failed":
            return phase
        error = call.excinfo.value
        links = exc_info.chain(error)
        phase.exception = type(error).__name__
        phase.chain = [type(link).__name__ for link in links]
        phase.message = exc_info.first_line(error)
        if isinstance(getattr(error, "argname", None), str):
            phase.message = f"fixture {error.argname!r} not found"  # type: ignore[attr-defined]
        origin = exc_info.origin(error, self.watch.is_app_file, self.step_codes.get(nodeid))
        phase.raised_in, phase.unwired = origin.where, origin.unwired
        phase.in_fixture = report.when == "call" and exc_info.raised_in_fixture(
            error, self.step_codes.get(nodeid)
        )
        refused = exc_info.infrastructure(error)
        if refused is not None:
            phase.infrastructure = exc_info.address(refused) or "unknown"
        phase.expected, phase.observed = _expected_observed(error, self.step_codes.get(nodeid))
        # Rendering a traceback as text is costly; only the fixture hint needs it, for the fixtures
        # it lists: a setup error, or a missing fixture that a step asked for while it ran.
        missing_fixture = isinstance(getattr(error, "argname", None), str)
        if (report.when == "setup" or missing_fixture) and report.longrepr:
            phase.longrepr = str(report.longrepr)[-4000:]
        return phase

    # -- where reports arrive -------------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> Generator[None, Any, None]:
        # A wrapper: the report is recorded (and, at teardown, judged for --junitxml) before any
        # other plugin, junitxml among them, sees it.
        if self.collector is not None:
            self.collector.add_test_report(report)
            xml = junit.log_xml(self.config)
            test = self.collector.tests.get(report.nodeid)
            if xml is not None and test is not None and report.when == "teardown":
                call = test.phases.get("call")
                junit.before_teardown_report(
                    xml,
                    report,
                    self.collector.judge_one(report.nodeid),
                    call is not None and call.outcome == "failed",
                )
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> Generator[None, Any, None]:
        if self.collector is not None and report.failed:
            self.collector.add_collection_error(report)
        yield
        xml = junit.log_xml(self.config) if self.collector is not None and report.failed else None
        if xml is not None and self.collector is not None:
            result = self.collector.collection_errors.get(report.nodeid)
            if result is not None:
                junit.after_collect_report(xml, report, result)

    def pytest_ignore_collect(self, collection_path: Path) -> bool | None:
        return True if self.shard is not None and self.shard.ignores(collection_path) else None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.shard is None:
            return
        kept: list[pytest.Item] = []
        left: list[pytest.Item] = []
        for item in items:
            (kept if self.shard.runs(Path(str(item.path)), item.nodeid) else left).append(item)
        if left:
            config.hook.pytest_deselected(items=left)
            items[:] = kept

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.collector is None:
            return
        if self.shard is None:
            self.collector.finish(terminalreporter)
        elif self.collector.settings.json_path:
            # The run that started the shards judges them all together.
            state = self.collector.shard_state()
            state["args"] = [os.path.abspath(str(arg).split("::", 1)[0]) for arg in self.config.args]
            text = encode_json(state)
            write_text_atomically(Path(self.collector.settings.json_path), text)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.step_index.uninstall()
        if self.step_index.mode == "check":
            index = self.step_index
            print(
                f"redphase step index check: {index.lookups} lookups, {len(index.differences)} differ",
                file=sys.stderr,
            )
            for difference in index.differences:
                print(f"  {difference}", file=sys.stderr)
        self.watch.close()
        if self.code_watch is not None:
            self.code_watch.close()


def _shard_plan(config: pytest.Config, rootdir: Path) -> ShardPlan | None:
    option = config.getoption("redphase_shard")
    if not option:
        return None
    from redphase.diagnostics import UsageError

    try:
        share = Share.parse(str(option))
    except UsageError as error:
        raise pytest.UsageError(str(error)) from error
    try:
        features_base = str(config.getini("bdd_features_base_dir") or "")
    except ValueError:  # pytest-bdd is not installed: no module binds feature files
        features_base = ""
    return ShardPlan.of(
        share,
        rootdir,
        [str(arg) for arg in config.args],
        config.getini("norecursedirs"),
        config.getini("python_files"),
        features_base,
    )


def gherkin_lines(scenario: Any, node: Any) -> list[str]:
    """The scenario as Gherkin sees it: each step with its keyword, data table and doc string, then
    its Examples row. Whitespace that Gherkin ignores is already gone from what the parser gives."""
    lines: list[str] = []
    for step in scenario.steps:
        lines.append(f"{str(step.keyword).strip()} {step.name}")
        table = getattr(step, "datatable", None)
        if table is not None:
            rows = table.raw() if hasattr(table, "raw") else table
            lines += ["  | " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
        if getattr(step, "docstring", None) is not None:
            lines += ['  """', *(f"  {line}" for line in str(step.docstring).splitlines()), '  """']
    example = getattr(getattr(node, "callspec", None), "params", {}).get("_pytest_bdd_example")
    if example:
        lines.append("Examples: " + " | ".join(f"{key}={value}" for key, value in example.items()))
    return lines


class StepDefinitions:
    """Which pattern and function a step ran, for Cucumber Messages' stepDefinition.

    pytest-bdd keeps each step decorator's context (its parser and function) in a registry; the
    contexts are indexed by function once, and again only when a function is not found.
    """

    def __init__(self) -> None:
        self._by_function: dict[int, list[Any]] = {}

    def _index(self) -> None:
        try:
            from pytest_bdd.steps import step_function_context_registry
        except ImportError:  # pragma: no cover - a pytest-bdd without it: no definitions, no crash
            return
        self._by_function = {}
        for context in list(step_function_context_registry.values()):
            self._by_function.setdefault(id(context.step_func), []).append(context)

    def find(self, step: Any, step_func: Any, relative: Any) -> dict[str, Any] | None:
        contexts = self._by_function.get(id(step_func))
        if contexts is None:
            self._index()
            # A function pytest-bdd does not know stays unknown: the registry is read once for it.
            contexts = self._by_function.setdefault(id(step_func), [])
        code = getattr(step_func, "__code__", None)
        for context in contexts:
            if context.step_func is not step_func:
                continue
            try:
                matching = bool(context.parser.is_matching(step.name))
            except Exception:
                matching = len(contexts) == 1
            if matching:
                return {
                    "pattern": str(getattr(context.parser, "name", step.name)),
                    "regex": type(context.parser).__name__ == "re",
                    "file": relative(code.co_filename) if code else "",
                    "line": code.co_firstlineno if code else 0,
                }
        return None


def _is_strict_xpass(report: pytest.TestReport, call: pytest.CallInfo[None]) -> bool:
    return (
        report.when == "call"
        and report.failed
        and call.excinfo is None
        and "XPASS(strict)" in str(report.longrepr)
    )


def _expected_observed(error: BaseException, step_code: Any) -> tuple[str, str]:
    for entry in exc_info.frames(error.__traceback__):
        if entry.tb_frame.f_code is step_code:
            names = entry.tb_frame.f_locals
            if "expected" in names and "observed" in names:
                return _short_repr(names["expected"]), _short_repr(names["observed"])
    return "", ""


def _short_repr(value: object, limit: int = 300) -> str:
    try:
        text = repr(value)
    except Exception as error:  # a repr that raises must not hide the verdict
        text = f"<unprintable {type(value).__name__}: {error}>"
    return text if len(text) <= limit else text[:limit] + "…"
