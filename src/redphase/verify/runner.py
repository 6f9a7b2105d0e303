"""`redphase verify`: run pytest with the plugin and turn its verdicts into an exit code."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redphase.diagnostics import UsageError
from redphase.verify.report import exit_status


@dataclass(frozen=True)
class VerifyResult:
    exit_code: int
    results: list[dict[str, object]]
    pytest_exit: int


def verify(
    paths: Sequence[str],
    pytest_args: Sequence[str],
    json_path: Path | None = None,
    report_path: Path | None = None,
    allow_unwired: bool = False,
) -> VerifyResult:
    import pytest

    if sys.flags.optimize:
        raise UsageError(
            "redphase refuses to run under `python -O`: assert statements are removed, so no red could be good"
        )
    with tempfile.TemporaryDirectory(prefix="redphase-") as scratch:
        target = json_path or Path(scratch) / "verdicts.json"
        args = [
            *paths,
            *pytest_args,
            "--redphase",
            "--continue-on-collection-errors",
            "--redphase-json",
            str(target),
        ]
        # redphase itself is imported before pytest starts, so pytest cannot rewrite the plugin: harmless.
        args += [
            "-W",
            "ignore:Module already imported so cannot be rewritten; redphase:pytest.PytestAssertRewriteWarning",
        ]
        if report_path is not None:
            args += ["--redphase-report", str(report_path)]
        if allow_unwired:
            args.append("--redphase-allow-unwired")
        code = int(pytest.main(args))
        if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR) or not target.is_file():
            raise UsageError(f"pytest could not run (exit code {code}); see its message above")
        document = json.loads(target.read_text(encoding="utf-8"))
    results = document["results"]
    return VerifyResult(exit_status(results, allow_unwired), results, code)
