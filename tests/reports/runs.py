"""The three projects the reports are held against, each verified once with every report on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import CORPUS, make_project, run_cli
from tests.verify.projects import write_project

PROJECTS = ["init-demo", "corpus", "verdicts"]


@dataclass
class Run:
    root: Path
    results: list[dict[str, Any]]
    summary: dict[str, int]
    messages: Path
    html: Path
    junit: Path
    output: str


def project(kind: str, root: Path) -> Path:
    if kind == "init-demo":
        result = run_cli("init", str(root), "--no-input")
        assert result.exit_code == 0, result.output
        return root
    if kind == "corpus":
        make_project(root, sorted((CORPUS / "good").glob("*.feature")))
        result = run_cli("scaffold", cwd=root)
        assert result.exit_code == 0, result.output
        return root
    return write_project(root)


def verify(root: Path, *pytest_args: str) -> Run:
    out = root / "reports"
    completed = subprocess.run(
        [sys.executable, "-m", "redphase", "verify", "--json", str(out / "verdicts.json"),
         "--messages", str(out / "run.ndjson"), "--html", str(out / "report.html"),
         "--", "-p", "no:cacheprovider", f"--junitxml={out / 'junit.xml'}", *pytest_args],
        cwd=root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False,
    )  # fmt: skip
    output = completed.stdout + completed.stderr
    assert (out / "verdicts.json").is_file(), output
    document = json.loads((out / "verdicts.json").read_text(encoding="utf-8"))
    return Run(
        root, document["results"], document["summary"], out / "run.ndjson", out / "report.html",
        out / "junit.xml", output,
    )  # fmt: skip
