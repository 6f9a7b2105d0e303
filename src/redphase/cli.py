"""The command line: parse options, call one library function, map its result to an exit code.

Exit codes, for every command: 0 done and all as it should be; 1 ran and found problems (invalid
input, stale output under --check, bad verdicts); 2 usage errors.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import click

from redphase import __version__

OK, PROBLEMS, USAGE = 0, 1, 2


# click exits 2 on its own usage errors; ours (UsageError) are mapped to 2 in each command.
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="redphase")
def main() -> None:
    """redphase: red-phase integration tests from Gherkin, proven red for the right reason.

    \b
    A typical loop: write a .feature file, `redphase scaffold`, `redphase verify`,
    wire or implement until every scenario is good-red, then turn it green.
    Exit codes for every command: 0 done, 1 problems found, 2 usage errors.
    """


def _config(project: str | None, **flags: Any) -> Any:
    from redphase.command_config import project_config

    return project_config(project, **flags)


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    """Errors from the library become a message and an exit code; never a traceback."""
    from redphase.scaffold_command import failure

    try:
        yield
    except Exception as error:
        failed = failure(error)
        if failed is None:
            raise
        click.echo(failed[0], err=True)
        sys.exit(failed[1])


_project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True),
    help="Project root (holds pyproject.toml). Default: the nearest folder upwards with a pyproject.toml.",
)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--no-input", is_flag=True, help="Ask nothing: use the options given and the template's defaults."
)
@click.option("--project-name", help="Human-readable name. Default: the folder's name.")
@click.option("--package-name", help="Python package under src/. Default: derived from the project name.")
@click.option("--description", help="One line for pyproject.toml and the README.")
def init(
    directory: str,
    no_input: bool,
    project_name: str | None,
    package_name: str | None,
    description: str | None,
) -> None:
    """Create a new project in DIRECTORY, ready for outside-in, test-first work.

    The project has a small real application (composition root, service layer, SQLite persistence,
    a Mailer port with an SMTP adapter), an example feature, a harness with an embedded database and
    an in-memory fake mailer, and health checks. `redphase verify` inside it reports good-red for the
    example journey and health-ok for the checks. DIRECTORY must not exist, or be empty.

    The template is also a cookiecutter template (templates/init in redphase's source).
    """
    from pathlib import Path

    from redphase.init import complete_answers, init_project, questions, render_default

    given = {
        "project_name": project_name or os.path.basename(os.path.abspath(directory)),
        "package_name": package_name,
        "description": description,
    }
    with _mapped_errors():
        if not no_input:
            answers: dict[str, str] = {}
            for key, raw in questions().items():
                default = given.get(key) or render_default(raw, answers)
                answers[key] = str(click.prompt(key.replace("_", " ").capitalize(), default=default))
            given = dict(answers)
        result = init_project(Path(directory), complete_answers(given))
    click.echo(f"created {result.root} ({len(result.files)} files)")
    click.echo(f"next: cd {result.root} && redphase verify")
    sys.exit(OK)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if scaffolding would change any file.")
@click.option(
    "--diff", "show_diff", is_flag=True, help="Write nothing; print the unified diff of what would change."
)
@click.option(
    "--features",
    "features",
    type=click.Path(),
    help="Features folder. Default: [tool.redphase] features, else 'features'.",
)
@click.option(
    "--tests", "tests", type=click.Path(), help="Tests folder. Default: [tool.redphase] tests, else 'tests'."
)
@click.option(
    "--no-wire",
    "no_wire",
    is_flag=True,
    help="Write every new step unwired, even where a call was found ([tool.redphase] wire = false).",
)
@_project_option
def scaffold(
    paths: tuple[str, ...],
    check: bool,
    show_diff: bool,
    features: str | None,
    tests: str | None,
    no_wire: bool,
    project: str | None,
) -> None:
    """Render pytest-bdd modules for .feature files, or add what is missing to existing ones.

    PATHS are .feature files or folders (default: the features folder). Step definitions are
    shared across features: each (step type, pattern) is defined once. Hand-written text is never
    rewritten: existing modules only get the scenarios and steps they lack, appended, and the
    imports those need, beside the module's own.

    Wiring: scaffold reads the application's code (`redphase plan` shows what it found), ranks
    the calls each new step could make, and writes the best one into the step when its confidence
    reaches [tool.redphase] wire-threshold (default 0.5), marked as inferred with its reason and
    the runners-up. Other steps stay unwired and list their candidates. Steps that exist already
    are never rewritten.

    \b
    Exit codes: 0 done (or, with --check/--diff, nothing to change);
                1 invalid feature files, or --check/--diff found changes; 2 usage errors.
    """
    from redphase.scaffold_command import run_command, without_cyclic_collection

    def write(text: str, to_stderr: bool) -> None:
        click.echo(text, nl=False, err=to_stderr)

    with without_cyclic_collection():
        code = run_command(
            project,
            paths,
            write=write,
            check=check,
            show_diff=show_diff,
            features=features,
            tests=tests,
            no_wire=no_wire,
        )
    sys.exit(code)


@main.command()
@click.argument("feature", type=click.Path())
@click.option(
    "--format", "output_format", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True
)
@_project_option
def plan(feature: str, output_format: str, project: str | None) -> None:
    """Print the integration harness description for FEATURE (a file or folder).

    It shows the system under test, each component and how the harness treats it (external
    service: fake; own service: real; database: isolated test instance), and every scenario's
    steps with phase, pattern, typed parameters, function name and the components they touch,
    each inference with the reason it was made. Override inferences with tags such as
    @fake:email or @real:payments, or with [tool.redphase.components] in pyproject.toml.
    """
    from pathlib import Path

    from redphase.plan.export import to_json, to_yaml
    from redphase.render.formatting import describe
    from redphase.scaffold import plan_only

    with _mapped_errors():
        config = _config(project)
        harness, diagnostics = plan_only(config, Path(feature))
    for diagnostic in diagnostics:
        click.echo(diagnostic.render(), err=True)
    if harness is None:
        sys.exit(PROBLEMS)
    export = to_yaml if output_format == "yaml" else to_json
    click.echo(export(harness, describe(config.formatting)), nl=False)
    sys.exit(OK)


def _jobs(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """A number of processes, 1 or more, or `auto` for one per CPU this process may use."""
    text = value.strip().lower()
    if text == "auto":
        usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
        return max(len(usable), 1)
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise click.BadParameter(f"{value!r} is not a number of processes (1 or more) nor auto")


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("paths", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False),
    help="Write every verdict as JSON.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Write the Markdown gaps report.",
)
@click.option(
    "--allow-unwired",
    is_flag=True,
    help="Count unwired-red as good (the steps reach Then but call no application code yet).",
)
@click.option(
    "--messages",
    "messages_path",
    type=click.Path(dir_okay=False),
    help="Write the run as Cucumber Messages (NDJSON), each test case with its verdict attached.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False),
    help="Write a self-contained HTML report: verdict chart, scenarios by verdict, filterable.",
)
@click.option(
    "--phase",
    type=click.Choice(["red", "green"]),
    default="red",
    show_default=True,
    help="red: judge every red and write redphase.lock; green: prove the locked good reds now pass, untouched.",
)
@click.option(
    "--relock",
    multiple=True,
    metavar="NODEID",
    help="Replace this scenario's lock entry, only if it is good-red in this run (repeatable).",
)
@click.option(
    "--no-lock",
    is_flag=True,
    help="Red phase only: neither record nor update redphase.lock (nothing is recorded, which is faster).",
)
@click.option(
    "--step-index/--no-step-index",
    default=None,
    help="Find each step's definitions through redphase's index (pytest-bdd 9.0.1 only), or with "
    "pytest-bdd's own lookup. Default: REDPHASE_STEP_INDEX, else [tool.redphase] step_index, else on.",
)
@click.option(
    "--one-line",
    is_flag=True,
    help="After the run, print one line: the outcome, or the first problem (for hooks).",
)
@click.option(
    "-j",
    "--jobs",
    callback=_jobs,
    default="1",
    show_default=True,
    metavar="N|auto",
    help="Run N pytest processes at once (auto: one per CPU this process may use), each collecting "
    "and running its share of the test files, and judge them as one run: the same verdicts, lock "
    "and reports as a serial run. Unlike `-- -n N` (pytest-xdist), no process collects the whole suite. "
    "Each shard's environment has REDPHASE_SHARD=K/N (xdist's worker_id is 'master' in every shard).",
)
def verify(
    paths: tuple[str, ...],
    json_path: str | None,
    report_path: str | None,
    allow_unwired: bool,
    messages_path: str | None,
    html_path: str | None,
    phase: str,
    relock: tuple[str, ...],
    no_lock: bool,
    step_index: bool | None,
    one_line: bool,
    jobs: int,
) -> None:
    """Run the tests under PATHS and give every scenario a red-phase verdict.

    Arguments after `--` go to pytest unchanged, for example `redphase verify -- -n 2`.

    \b
    good-red       failed at an assertion in a Then step, after application code ran
    unwired-red    the same, but no application code ran, or it compared against a placeholder
    passed, undefined-step, pending, early-failure, test-error, fixture-error,
    collection-error, infrastructure-error, teardown-error, no-outcome   bad reds, fix first
    health-ok / health-failed   harness health checks
    skipped, not-scenario       listed, never judged

    \b
    With --phase green, against redphase.lock:
    green          locked good red that passes now, its Gherkin and test code unchanged
    still-red      locked, still fails
    tampered       locked, and its Gherkin or the test code it ran changed
    never-red      passes, but was never locked red
    missing        locked, but the scenario or Examples row is gone

    \b
    Exit codes: 0 every scenario is good-red and every health check health-ok
                (unwired-red too with --allow-unwired), or with --phase green every
                locked scenario green and every health check health-ok;
                1 anything else; 2 usage errors.
    """
    from pathlib import Path

    from redphase.verify.runner import VerifyOptions
    from redphase.verify.runner import verify as run_verify

    # Paths and the arguments after `--` all go to pytest, in the order given.
    with _mapped_errors():
        result = run_verify(
            [arg for arg in paths if arg != "--"],
            VerifyOptions(
                json_path=Path(json_path) if json_path else None,
                report_path=Path(report_path) if report_path else None,
                allow_unwired=allow_unwired,
                messages_path=Path(messages_path) if messages_path else None,
                html_path=Path(html_path) if html_path else None,
                phase=phase,
                relock=tuple(relock),
                lock=not no_lock,
                step_index=None if step_index is None else ("on" if step_index else "off"),
                # This process is the run's own and ends with it, as `python -m pytest` would.
                in_this_process=True,
                jobs=jobs,
            ),
        )
    if one_line:
        from redphase.verify.green import one_line as reason

        click.echo(reason(result.results, result.exit_code, phase))
    sys.exit(result.exit_code)


@main.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False), help="Write the merged verdicts as JSON."
)
@click.option(
    "--report", "report_path", type=click.Path(dir_okay=False), help="Write the merged Markdown gaps report."
)
@click.option(
    "--allow-unwired/--no-allow-unwired",
    default=None,
    help="Count unwired-red as good, or not; by default, as the shards were verified (they must agree).",
)
def merge(
    shards: tuple[str, ...], json_path: str | None, report_path: str | None, allow_unwired: bool | None
) -> None:
    """Combine the verdict JSON of several shards (`verify --json`) into one summary, report and exit code.

    A nodeid in several shards is listed once: the first shard's entry where the verdicts agree,
    else the first bad one, with every shard's verdict in `shard_verdicts`.

    \b
    Exit codes: 0 the merged run is good, as verify's would be; 1 it is not;
                2 usage errors, such as a shard that cannot be read or is not a verdict JSON.
    """
    from pathlib import Path

    from redphase.verify.merge import merge as run_merge

    with _mapped_errors():
        result = run_merge(
            [Path(shard) for shard in shards],
            Path(json_path) if json_path else None,
            Path(report_path) if report_path else None,
            allow_unwired,
            echo=click.echo,
            warn=lambda line: click.echo(line, err=True),
        )
    sys.exit(result.exit_code)


if __name__ == "__main__":
    main()
