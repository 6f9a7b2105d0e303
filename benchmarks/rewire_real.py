"""Scaffold and verify real projects whose step definitions and tests were taken away.

    python benchmarks/rewire_real.py [NAME...] [--work DIR]

The projects are those of benchmarks/real_projects.py, as `prepare` left them in `<work>/<name>`.
Each source tree is copied to `<work>/<name>/rewired`, every Python file that imports pytest_bdd
(step definitions and scenario modules) is removed, and then, with the project's own venv:
  1. `python -m redphase scaffold --features F --tests T`, F the folder that holds the feature files
     and T the tests folder (`tests` when there is one);
  2. `python -m redphase verify T --json J -- -p no:cacheprovider`.
It prints how many new steps scaffold wired (an "inferred" note in the docstring), the verdicts,
any traceback in either command's output, and every scenario that passed: a passing scenario's
Then steps all compared an expected value with one read through the harness, so each is listed with
its wiring for a person to judge.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_projects import DEFAULT_WORK, PROJECTS, Project, python_of, source_of

SKIPPED = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


def strip(source: Path, into: Path) -> list[Path]:
    """Copy the project and delete its pytest-bdd files; the deleted paths, relative."""
    if into.exists():
        shutil.rmtree(into)
    shutil.copytree(source, into, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED))
    removed = []
    for path in sorted(into.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if re.search(r"^\s*(from|import)\s+pytest_bdd\b", text, re.MULTILINE):
            path.unlink()
            removed.append(path.relative_to(into))
    return removed


def folders(root: Path, removed: list[Path]) -> tuple[Path, Path]:
    features = sorted(root.rglob("*.feature"))
    common = Path(os.path.commonpath([str(p.parent) for p in features])) if features else root / "features"
    tests = root / "tests"
    if not tests.is_dir() and removed:
        tests = root / Path(os.path.commonpath([str(p.parent) for p in removed]))
    return common, tests


def rewire(project: Project, work: Path) -> dict[str, object]:
    source = source_of(work, project)
    python = python_of(work, project)
    if not source.is_dir() or not python.is_file():
        return {"project": project.name, "skipped": "not prepared"}
    root = work / project.name / "rewired"
    removed = strip(source, root)
    run_root = root / project.subdir if project.subdir else root
    features, tests = folders(run_root, removed)
    env = {**os.environ, **project.env, "PYTHONDONTWRITEBYTECODE": "1"}
    scaffolded = subprocess.run(
        [str(python), "-m", "redphase", "scaffold", "--features", str(features), "--tests", str(tests)],
        cwd=run_root, capture_output=True, text=True, check=False, env=env, timeout=900,
    )  # fmt: skip
    out = root / "verdicts.json"
    verified = subprocess.run(
        [str(python), "-m", "redphase", "verify", str(tests.relative_to(run_root)), f"--json={out}",
         "--", "-p", "no:cacheprovider", *project.pytest_args],
        cwd=run_root, capture_output=True, text=True, check=False, env=env, timeout=1800,
    )  # fmt: skip
    results = json.loads(out.read_text(encoding="utf-8"))["results"] if out.is_file() else []
    steps = list((tests / "step_defs").glob("*.py")) if (tests / "step_defs").is_dir() else []
    texts = [path.read_text(encoding="utf-8") for path in steps]
    wired = sum(text.count("Wiring inferred by redphase") for text in texts)
    written = sum(len(re.findall(r"^def (given|when|then)_", text, re.MULTILINE)) for text in texts)
    tracebacks = [
        name
        for name, output in (("scaffold", scaffolded.stdout + scaffolded.stderr), ("verify", verified.stderr))
        if "Traceback (most recent call last)" in output
    ]
    return {
        "project": project.name,
        "removed": len(removed),
        "scaffold_exit": scaffolded.returncode,
        "scaffold_summary": (scaffolded.stdout.strip().splitlines() or [""])[-1],
        "steps_written": written,
        "steps_wired": wired,
        "verify_exit": verified.returncode,
        "verdicts": dict(Counter(str(r["verdict"]) for r in results)),
        "passed": [r["nodeid"] for r in results if r["verdict"] == "passed"],
        "tracebacks": tracebacks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args(argv)
    chosen = [p for p in PROJECTS if not args.names or p.name in args.names]
    failures = 0
    for project in chosen:
        report = rewire(project, args.work)
        print(json.dumps(report, indent=1))
        failures += bool(report.get("tracebacks")) or report.get("scaffold_exit") not in (0, None)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
