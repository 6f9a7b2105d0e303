"""redphase against its anchors, side by side in one run: `python benchmarks/run.py [--repeat N]`.

Every figure is a ratio measured on this machine in the same run, so the machine's speed cancels out:

- cold scaffold ÷ `pytest-bdd generate` on the same files (only those pytest-bdd can parse), our
  side including black formatting and every file written;
- warm re-scaffold (nothing changed) ÷ cold scaffold;
- `redphase verify` ÷ plain `pytest` on the same scaffolded suite of 100 features;
- `redphase --version` ÷ `python -c "import click"` (start-up);
- per-scenario scaffold cost for one feature of 10,000 scenarios ÷ one of 100 (linearity), with
  the peak memory of each run;
- the hand layout's pay-off: cold scaffold with black run over every file ÷ the same with the hand
  layout trusted (exact files skip black), with the seconds of each (`--layout-only` runs just this).

`--mechanisms` instead measures what each performance mechanism buys, each run with it ÷ the same
run without it, A and B alternating so that other load on the machine meets both alike.

Corpora: the official Gherkin corpus in tests/data, and a synthetic corpus of 500 features written
by benchmarks/generate_corpus.py. Prints min, median and max of each ratio over the repeats.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate_corpus import feature_text, write_corpus  # noqa: E402

BIN = Path(sys.executable).parent


def compile_bytecode() -> None:
    """Byte-compile redphase as an installed wheel would be.

    pytest-bdd was installed from a wheel, so its modules load compiled. An editable install of
    redphase compiles on first import and keeps the result, unless PYTHONDONTWRITEBYTECODE is set
    (as on the machine these figures come from): then every run would compile redphase afresh.
    """
    import compileall

    compileall.compile_dir(REPO / "src" / "redphase", quiet=1)


def timed(command: list[str], cwd: Path | None = None) -> float:
    """Wall time of one run."""
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr[-2000:]}")
    return elapsed


_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_memory_mib(command: list[str], cwd: Path | None = None) -> int:
    """Peak resident memory of `command` alone: a wrapper process whose only child it is reports it.

    For a command with children of its own (verify runs pytest in one), the largest of them all.
    """
    completed = subprocess.run(
        [sys.executable, "-c", _PEAK, *command], capture_output=True, text=True, check=True, cwd=cwd
    )
    return int(completed.stdout.strip()) // 1024


def pytest_bdd_parses(path: Path) -> bool:
    from pytest_bdd.parser import FeatureParser

    try:
        FeatureParser(str(path.parent), path.name).parse()
    except Exception:
        return False
    return True


_PROJECTS = itertools.count()


def fresh_folder(scratch: Path, label: str) -> Path:
    """A new folder for each run, none deleted until the end.

    ext4 will not reuse an inode freed in the last half minute or so, and scans past every such
    inode when it creates a file: deleting the previous run's project just before a timed run made
    creating our files three times as slow. Deleting is not part of either tool's work, so nothing
    is deleted while anything is timed.
    """
    return scratch / f"{label}-{next(_PROJECTS)}"


def project_with(features: list[Path], root: Path, base: Path) -> Path:
    (root / "features").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\n', encoding="utf-8")
    for path in features:
        target = root / "features" / path.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root


def ratios(name: str, repeat: int, measure: Callable[[], float]) -> list[float]:
    values = [measure() for _ in range(repeat)]
    print(
        f"{name:<58} min {min(values):6.3f}  median {statistics.median(values):6.3f}  max {max(values):6.3f}"
        f"  (load {os.getloadavg()[0]:.2f})",
        flush=True,
    )
    return values


def scaffold_vs_generate(
    label: str, features: list[Path], base: Path, scratch: Path, repeat: int, per_file: bool = True
) -> None:
    parseable = [path for path in features if pytest_bdd_parses(path)]
    print(f"-- {label}: {len(features)} features, {len(parseable)} parseable by pytest-bdd", flush=True)

    runs = 0

    def cold() -> float:
        nonlocal runs
        runs += 1
        project = project_with(parseable, fresh_folder(scratch, label), base)
        ours = [str(BIN / "redphase"), "scaffold", "--project", str(project)]
        theirs = [str(BIN / "pytest-bdd"), "generate", *map(str, parseable)]
        # Alternate which goes first, so that neither side always meets a busier machine (the
        # project's files were written just before).
        if runs % 2:
            return timed(ours) / timed(theirs)
        theirs_time = timed(theirs)
        return timed(ours) / theirs_time

    def cold_per_file() -> float:
        # pytest-bdd generate prints one stream; a module per feature, as scaffold writes, takes a run each.
        project = project_with(parseable, fresh_folder(scratch, label), base)
        ours = timed([str(BIN / "redphase"), "scaffold", "--project", str(project)])
        theirs = sum(timed([str(BIN / "pytest-bdd"), "generate", str(path)]) for path in parseable)
        return ours / theirs

    def warm() -> float:
        project = project_with(parseable, fresh_folder(scratch, label), base)
        first = timed([str(BIN / "redphase"), "scaffold", "--project", str(project)])
        second = timed([str(BIN / "redphase"), "scaffold", "--project", str(project)])
        return second / first

    ratios(f"{label}: cold scaffold / pytest-bdd generate, one run (goal <= 1.0)", repeat, cold)
    if per_file:
        ratios(f"{label}: cold scaffold / pytest-bdd generate, a run per file", repeat, cold_per_file)
    ratios(f"{label}: warm re-scaffold / cold scaffold (goal <= 0.2)", repeat, warm)


def verify_vs_pytest(scratch: Path, repeat: int) -> None:
    synthetic = scratch / "verify-features"
    features = write_corpus(synthetic, 100)
    project = project_with(features, fresh_folder(scratch, "verify"), synthetic)
    timed([str(BIN / "redphase"), "scaffold", "--project", str(project)])
    print(f"-- verify: scaffolded suite of {len(features)} synthetic features", flush=True)
    quiet = ["-q", "-p", "no:cacheprovider"]

    runs = 0

    def measure() -> float:
        nonlocal runs
        runs += 1
        # Alternate which goes first, so that neither side always meets a warmer machine.
        commands = [[sys.executable, "-m", "pytest", *quiet], [str(BIN / "redphase"), "verify", "--", *quiet]]
        if runs % 2 == 0:
            ours = timed(commands[1], cwd=project)
            plain = timed(commands[0], cwd=project)
        else:
            plain = timed(commands[0], cwd=project)
            ours = timed(commands[1], cwd=project)
        return ours / plain

    ratios("verify / plain pytest, same suite (goal <= 0.5)", repeat, measure)


def startup(repeat: int) -> None:
    def measure() -> float:
        ours = timed([str(BIN / "redphase"), "--version"])
        base = timed([sys.executable, "-c", "import click"])
        return ours / base

    ratios("start-up: redphase --version / import click (goal <= 1.5)", repeat, measure)


def linearity(scratch: Path, repeat: int) -> None:
    import random

    def project(scenarios: int) -> Path:
        root = fresh_folder(scratch, f"linear-{scenarios}")
        (root / "features").mkdir(parents=True)
        (root / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\n', encoding="utf-8")
        text = feature_text(1, scenarios, random.Random(7))
        (root / "features" / "big.feature").write_text(text, encoding="utf-8")
        return root

    def measure() -> float:
        small = timed([str(BIN / "redphase"), "scaffold", "--project", str(project(100))])
        large = timed([str(BIN / "redphase"), "scaffold", "--project", str(project(10_000))])
        return (large / 10_000) / (small / 100)

    ratios("linearity: per-scenario cost 10,000 / 100 (goal <= 1.2)", repeat, measure)
    peaks = {
        n: peak_memory_mib([str(BIN / "redphase"), "scaffold", "--project", str(project(n))])
        for n in (100, 10_000)
    }
    print(f"{'':<58} peak memory: 100 scenarios {peaks[100]} MiB, 10,000 scenarios {peaks[10_000]} MiB")


# `redphase scaffold` with the hand layout distrusted, as for a configuration CI does not check.
_BLACK_FOR_EVERY_FILE = (
    "import sys; import redphase.render.formatting as f; f.hand_layout_holds = lambda formatting: False; "
    "sys.argv = ['redphase', *sys.argv[1:]]; from redphase.launch import main; main()"
)


def hand_layout_payoff(label: str, features: list[Path], base: Path, scratch: Path, repeat: int) -> None:
    print(f"-- hand layout: {label}, {len(features)} features, cold scaffold", flush=True)
    hand: list[float] = []
    black: list[float] = []

    def measure() -> float:
        commands = {
            "hand": [str(BIN / "redphase"), "scaffold", "--project"],
            "black": [sys.executable, "-c", _BLACK_FOR_EVERY_FILE, "scaffold", "--project"],
        }
        # Alternate which goes first, so that neither side always meets a busier machine.
        order = ["hand", "black"] if len(hand) % 2 == 0 else ["black", "hand"]
        seconds = {}
        for name in order:
            project = project_with(features, fresh_folder(scratch, f"layout-{name}"), base)
            seconds[name] = timed([*commands[name], str(project)])
        hand.append(seconds["hand"])
        black.append(seconds["black"])
        return seconds["black"] / seconds["hand"]

    ratios(f"{label}: cold scaffold, black for every file / hand layout", repeat, measure)
    for name, values in (("hand layout (exact files skip black)", hand), ("black for every file", black)):
        print(
            f"{'':<8}{name:<50} min {min(values):6.3f}s median {statistics.median(values):6.3f}s "
            f"max {max(values):6.3f}s",
            flush=True,
        )


# A command line run the way the console script runs it, optionally without one mechanism.
_RUN = "import sys; sys.argv = ['redphase', *sys.argv[1:]]; "
_WITH_LAUNCHER = _RUN + "from redphase.launch import main; main()"
_STRAIGHT_TO_CLICK = _RUN + "from redphase import launch; launch._leave(launch._command_line())"
_STOCK_PARSER = (
    _RUN
    + "import gherkin.parser, redphase.parse.fast_parser as fast; fast.TableParser = gherkin.parser.Parser; "
    "from redphase.launch import main; main()"
)
_PARSE_ONLY = """
import sys, time
from pathlib import Path
from gherkin.parser import Parser
from redphase.parse.fast_parser import TableParser
sources = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).rglob("*.feature"))]
chosen = TableParser if sys.argv[2] == "table" else Parser
start = time.perf_counter()
for source in sources:
    chosen().parse(source)
print(time.perf_counter() - start)
"""


def alternating(
    name: str, repeat: int, with_it: Callable[[], float], without_it: Callable[[], float]
) -> None:
    """with ÷ without, the order swapped on every repeat; below 1.0 the mechanism pays."""
    runs = 0

    def measure() -> float:
        nonlocal runs
        runs += 1
        if runs % 2:
            a = with_it()
            return a / without_it()
        b = without_it()
        return with_it() / b

    ratios(name, repeat, measure)


MECHANISMS = ("launcher", "fork", "parser")


def mechanisms(scratch: Path, repeat: int, size: int, chosen: Sequence[str] = MECHANISMS) -> None:
    synthetic = scratch / "mechanisms"
    corpus = write_corpus(synthetic, size)
    print(f"-- mechanisms: synthetic corpus of {len(corpus)} features; ratio = with ÷ without", flush=True)
    python = [sys.executable, "-c"]

    def scaffold(code: str, env: dict[str, str] | None = None, project: Path | None = None) -> float:
        project = project or project_with(corpus, fresh_folder(scratch, "mechanism"), synthetic)
        command = [*python, code, "scaffold", "--project", str(project)]
        start = time.perf_counter()
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})}
        )
        elapsed = time.perf_counter() - start
        if completed.returncode not in (0, 1):
            raise SystemExit(f"scaffold failed ({completed.returncode}):\n{completed.stderr[-2000:]}")
        return elapsed

    # (a) The pre-click launcher, on the run it exists for: an unchanged re-scaffold.
    if "launcher" in chosen:
        warm = project_with(corpus, fresh_folder(scratch, "warm"), synthetic)
        scaffold(_WITH_LAUNCHER, project=warm)
        alternating(
            "launcher: unchanged re-scaffold, launcher / straight to click",
            repeat,
            lambda: scaffold(_WITH_LAUNCHER, project=warm),
            lambda: scaffold(_STRAIGHT_TO_CLICK, project=warm),
        )
    # (b) The forked parsing child, on a cold scaffold.
    if "fork" in chosen:
        alternating(
            "fork: cold scaffold, forked parsing child / in-process",
            repeat,
            lambda: scaffold(_WITH_LAUNCHER),
            lambda: scaffold(_WITH_LAUNCHER, {"REDPHASE_NO_FORK": "1"}),
        )

    # (c) The table-dispatch parser: parsing alone, then a cold scaffold parsed in-process.
    def parse_only(which: str) -> float:
        completed = subprocess.run(
            [*python, _PARSE_ONLY, str(synthetic), which], capture_output=True, text=True, check=True
        )
        return float(completed.stdout)

    if "parser" not in chosen:
        return
    alternating(
        "parser: parsing alone, table dispatch / gherkin's Parser",
        repeat,
        lambda: parse_only("table"),
        lambda: parse_only("stock"),
    )
    in_process = {"REDPHASE_NO_FORK": "1"}
    alternating(
        "parser: cold scaffold in-process, table dispatch / gherkin's",
        repeat,
        lambda: scaffold(_WITH_LAUNCHER, in_process),
        lambda: scaffold(_STOCK_PARSER, in_process),
    )
    alternating(
        "parser: cold scaffold forked, table dispatch / gherkin's",
        repeat,
        lambda: scaffold(_WITH_LAUNCHER),
        lambda: scaffold(_STOCK_PARSER),
    )


def rescaffold_after_edit(scratch: Path, repeat: int, size: int) -> None:
    """Re-scaffold after one feature gained a scenario ÷ cold scaffold, on real-like features.

    Each repeat: a fresh project, a cold scaffold, a first edit (the index memo is filled by it),
    then a second edit, the everyday case. The output of the last run is checked once against a
    cache-less full re-scaffold of a copy of the project: the trees must be byte-identical.
    """
    corpus_root = scratch / "rescaffold-features"
    corpus = write_corpus(corpus_root, size, real_like=True)
    print(f"-- re-scaffold after an edit: {len(corpus)} real-like features", flush=True)
    scaffold = [str(BIN / "redphase"), "scaffold", "--project"]
    cold_seconds: list[float] = []
    first: list[float] = []
    steady: list[float] = []

    def edit(project: Path, number: int) -> None:
        path = sorted((project / "features").rglob("*.feature"))[size // 2]
        with path.open("a", encoding="utf-8") as handle:
            handle.write(
                f"\n  Scenario: Edited {number}\n    Given I am on the edited page {number}\n"
                f'    When I save the "draft {number}"\n    Then the editor shows {number} results\n'
            )

    project = Path()
    for _ in range(repeat):
        project = project_with(corpus, fresh_folder(scratch, "rescaffold"), corpus_root)
        cold_seconds.append(timed([*scaffold, str(project)]))
        edit(project, 1)
        first.append(timed([*scaffold, str(project)]))
        edit(project, 2)
        steady.append(timed([*scaffold, str(project)]))
    for name, values in (
        (
            "re-scaffold after an edit / cold scaffold (goal <= 0.15)",
            [s / c for s, c in zip(steady, cold_seconds, strict=True)],
        ),
        (
            "first re-scaffold after the cold one, after an edit / cold",
            [f / c for f, c in zip(first, cold_seconds, strict=True)],
        ),
    ):
        print(_figure(name, values), flush=True)
    for name, values in (("cold", cold_seconds), ("first edit", first), ("edit", steady)):
        print(f"{'':<8}{name:<50} {_seconds(values)}", flush=True)
    # The edited project's tree against a full re-scaffold with no cache at all.
    edit(project, 3)
    full = fresh_folder(scratch, "rescaffold-full")
    shutil.copytree(project, full, ignore=shutil.ignore_patterns(".redphase_cache"))
    timed([*scaffold, str(project)])
    timed([*scaffold, str(full)])
    same = _tree(project) == _tree(full)
    print(f"{'':<8}incremental tree == cache-less full re-scaffold: {same}", flush=True)
    if not same:
        raise SystemExit("the incremental re-scaffold wrote something a full one does not")


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".redphase_cache" not in path.parts
    }


def _figure(name: str, values: list[float]) -> str:
    return (
        f"{name:<58} min {min(values):6.3f}  median {statistics.median(values):6.3f}  max {max(values):6.3f}"
    )


def _seconds(values: list[float]) -> str:
    return f"min {min(values):6.3f}s median {statistics.median(values):6.3f}s max {max(values):6.3f}s"


def _verify_suite(scratch: Path, size: int, scenarios: int, bin_dir: Path = BIN) -> tuple[Path, int]:
    """A project scaffolded from `size` real-like features, and how many tests it holds."""
    features = scratch / f"suite-features-{size}"
    corpus = write_corpus(features, size, scenarios=scenarios, real_like=True)
    project = project_with(corpus, fresh_folder(scratch, f"suite-{size}"), features)
    timed([str(bin_dir / "redphase"), "scaffold", "--project", str(project)])
    # Collecting once with bytecode writing on leaves pytest's rewritten test modules cached, as on
    # any machine that writes bytecode; with PYTHONDONTWRITEBYTECODE (set on the machine these
    # figures come from) every pytest process, each xdist worker too, would rewrite every module.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return project, len(_collected(project, env, bin_dir))


def _first_test(project: Path, bin_dir: Path = BIN) -> str:
    return _collected(project, bin_dir=bin_dir)[0]


def _collected(project: Path, env: dict[str, str] | None = None, bin_dir: Path = BIN) -> list[str]:
    """The node ids `pytest --collect-only` lists for the project."""
    completed = subprocess.run(
        [str(bin_dir / "python"), "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    return [line for line in completed.stdout.splitlines() if "::" in line]


_QUIET = ["-q", "-p", "no:cacheprovider"]


def _verify_command(json_path: Path, *pytest_args: str, jobs: int = 1, bin_dir: Path = BIN) -> list[str]:
    return [
        str(bin_dir / "redphase"),
        "verify",
        f"--jobs={jobs}",
        "--json",
        str(json_path),
        "--",
        *_QUIET,
        *pytest_args,
    ]


def _verdicts(json_path: Path) -> dict[str, str]:
    import json

    document = json.loads(json_path.read_text(encoding="utf-8"))
    return {result["nodeid"]: result["verdict"] for result in document["results"]}


def user_environment(scratch: Path) -> Path:
    """The bin folder of a new virtual environment that holds what a project adopting redphase has:
    redphase (editable, this checkout, so its own dependencies: pytest, pytest-bdd) and
    pytest-xdist for the `-n 2` figure.

    Not this checkout's development environment: its test extras bring pytest plugins a project
    has only if it uses them, and they cost every pytest process. hypothesis's plugin imports all of
    hypothesis in each session's terminal summary (0.25 s here), anyio's loads asyncio; a run of N
    processes pays them N times over, serial and plain pytest once.
    """
    from importlib.metadata import version

    venv = scratch / "user-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The versions of this environment, so that the two environments' figures compare.
    pinned = [f"{name}=={version(name)}" for name in ("pytest", "pytest-bdd", "pytest-xdist", "black")]
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-e", str(REPO), *pinned],
        check=True,
    )
    return venv / "bin"


def verify_scale(
    scratch: Path, repeat: int, scenarios: int, chosen: Sequence[str], bin_dir: Path = BIN
) -> None:
    """The verify goals of the scale issue, each A/B pair alternating which side goes first.

    Every command runs from `bin_dir`: this environment's, or a user's (`user_environment`).
    """
    suites: dict[int, tuple[Path, int]] = {}
    command = functools.partial(_verify_command, bin_dir=bin_dir)

    def suite(size: int) -> tuple[Path, int]:
        if size not in suites:
            suites[size] = _verify_suite(scratch, size, scenarios, bin_dir)
            print(f"-- verify: {size} real-like features, {suites[size][1]} tests", flush=True)
        return suites[size]

    if "pytest" in chosen:
        project, _ = suite(100)
        plain = [str(bin_dir / "python"), "-m", "pytest", *_QUIET]
        ours = command(project / "verdicts.json")
        alternating(
            "verify / plain pytest, 100 real-like features (goal <= 0.5)",
            repeat,
            lambda: timed(ours, cwd=project),
            lambda: timed(plain, cwd=project),
        )
    if "per-test" in chosen:
        small, small_tests = suite(30)
        large, large_tests = suite(300)
        alternating(
            "verify per-test cost, 300 features / 30 (goal <= 1.5)",
            repeat,
            lambda: timed(command(large / "verdicts.json"), cwd=large) / large_tests,
            lambda: timed(command(small / "verdicts.json"), cwd=small) / small_tests,
        )
    if "xdist" in chosen:
        project, _ = suite(100)
        seconds: dict[str, list[float]] = {
            "parallel": [],
            "serial": [],
            "jobs": [],
            "serial-jobs": [],
            "parallel-1": [],
            "serial-1": [],
        }

        def run(name: str, *pytest_args: str, jobs: int = 1) -> float:
            elapsed = timed(command(project / f"{name}.json", *pytest_args, jobs=jobs), cwd=project)
            seconds[name].append(elapsed)
            return elapsed

        # --jobs: redphase's own shards, each collecting only its share of the test files.
        alternating(
            "verify --jobs 2 / serial verify, 100 features (goal <= 0.6)",
            repeat,
            lambda: run("jobs", jobs=2),
            lambda: run("serial-jobs"),
        )
        jobs_same = (project / "jobs.json").read_text(encoding="utf-8") == (
            project / "serial-jobs.json"
        ).read_text(encoding="utf-8")
        print(
            f"{'':<8}the same verdict JSON, byte for byte, with --jobs 2 as serial: {jobs_same}", flush=True
        )

        alternating(
            "verify -- -n 2 (pytest-xdist) / serial verify, 100 features",
            repeat,
            lambda: run("parallel", "-n", "2"),
            lambda: run("serial"),
        )
        same = _verdicts(project / "parallel.json") == _verdicts(project / "serial.json")
        print(f"{'':<8}the same verdicts with -n 2 as serial: {same}", flush=True)
        # What the ratio can reach: one selected test (the whole suite still collected) costs what
        # every run pays whatever its size, serial and with -n 2; perfect scaling halves the rest.
        only = (_first_test(project, bin_dir),)
        alternating(
            "one test: verify -- -n 2 / serial verify (fixed costs)",
            repeat,
            lambda: run("parallel-1", "-n", "2", *only),
            lambda: run("serial-1", *only),
        )
        median = {name: statistics.median(values) for name, values in seconds.items()}
        best = (median["parallel-1"] + (median["serial"] - median["serial-1"]) / 2) / median["serial"]
        for name, values in seconds.items():
            print(f"{'':<8}{name:<50} {_seconds(values)}", flush=True)
        print(f"{'':<8}{'best ratio these fixed costs allow (perfect halving)':<50} {best:6.3f}", flush=True)
    if "memory" in chosen:
        large, large_tests = suite(300)
        peak = peak_memory_mib(command(large / "verdicts.json"), cwd=large)
        print(
            f"{'verify peak memory, 300 features':<58} {peak} MiB ({large_tests} tests, load {os.getloadavg()[0]:.2f})",
            flush=True,
        )


SCALE = ("pytest", "per-test", "xdist", "memory")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--synthetic", type=int, default=500, help="features in the synthetic corpus")
    parser.add_argument("--skip-linearity", action="store_true")
    parser.add_argument(
        "--skip-verify", action="store_true", help="skip verify / pytest (minutes on 2 cores)"
    )
    parser.add_argument("--skip-per-file", action="store_true", help="skip a pytest-bdd run per file")
    parser.add_argument("--layout-only", action="store_true", help="only the hand layout's pay-off")
    parser.add_argument(
        "--mechanisms",
        nargs="?",
        const=",".join(MECHANISMS),
        metavar="NAMES",
        help=f"only what each performance mechanism buys (with ÷ without); NAMES from {', '.join(MECHANISMS)}",
    )
    parser.add_argument(
        "--rescaffold",
        type=int,
        nargs="?",
        const=490,
        metavar="FEATURES",
        help="only re-scaffold after an edit / cold scaffold, on FEATURES real-like features (490)",
    )
    parser.add_argument(
        "--scale",
        nargs="?",
        const=",".join(SCALE),
        metavar="NAMES",
        help=f"only verify's scale figures; NAMES from {', '.join(SCALE)}",
    )
    parser.add_argument(
        "--cold",
        type=int,
        nargs="?",
        const=490,
        metavar="FEATURES",
        help="only cold scaffold / pytest-bdd generate, on FEATURES real-like features (490)",
    )
    parser.add_argument(
        "--scenarios", type=int, default=5, help="scenarios per real-like feature in --scale suites"
    )
    parser.add_argument(
        "--dev-environment",
        action="store_true",
        help="--scale in this environment, test extras and their pytest plugins included, "
        "rather than a new one holding only redphase and pytest-xdist",
    )
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, repeat {args.repeat}")
    compile_bytecode()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        if args.rescaffold:
            rescaffold_after_edit(scratch, args.repeat, args.rescaffold)
            return 0
        if args.cold:
            real_like = scratch / "real-like"
            corpus = write_corpus(real_like, args.cold, real_like=True)
            scaffold_vs_generate("real-like", corpus, real_like, scratch, args.repeat, per_file=False)
            return 0
        if args.scale:
            bin_dir = BIN if args.dev_environment else user_environment(scratch)
            print(f"-- verify's environment: {bin_dir.parent}", flush=True)
            verify_scale(scratch, args.repeat, args.scenarios, args.scale.split(","), bin_dir)
            return 0
        if args.mechanisms:
            mechanisms(scratch, args.repeat, args.synthetic, args.mechanisms.split(","))
            return 0
        official = REPO / "tests" / "data" / "gherkin-testdata" / "good"
        if args.layout_only:
            hand_layout_payoff("official", sorted(official.glob("*.feature")), official, scratch, args.repeat)
            synthetic = scratch / "synthetic"
            corpus = write_corpus(synthetic, args.synthetic)
            hand_layout_payoff("synthetic", corpus, synthetic, scratch, args.repeat)
            return 0
        per_file = not args.skip_per_file
        scaffold_vs_generate(
            "official", sorted(official.glob("*.feature")), official, scratch, args.repeat, per_file
        )
        synthetic = scratch / "synthetic"
        corpus = write_corpus(synthetic, args.synthetic)
        scaffold_vs_generate("synthetic", corpus, synthetic, scratch, args.repeat, per_file)
        if not args.skip_verify:
            verify_vs_pytest(scratch, args.repeat)
        startup(args.repeat)
        if not args.skip_linearity:
            linearity(scratch, args.repeat)
        hand_layout_payoff("synthetic", corpus, synthetic, scratch, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
