"""Shared helpers for redphase's own tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from redphase.cli import main

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "gherkin-testdata"

pytest_plugins = ["pytester"]


def run_cli(*args: str, cwd: Path | None = None) -> Result:
    """The CLI in-process, as a user would call it from `cwd`."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), catch_exceptions=False)
    with _chdir(cwd):
        return runner.invoke(main, list(args), catch_exceptions=False)


class _chdir:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.old = Path.cwd()

    def __enter__(self) -> None:
        import os

        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.old)


def make_project(root: Path, features: dict[str, str] | Iterable[Path] = ()) -> Path:
    """A project folder with a pyproject.toml and the given feature files under features/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n', encoding="utf-8")
    target = root / "features"
    target.mkdir(exist_ok=True)
    if isinstance(features, dict):
        for name, text in features.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    else:
        for path in features:
            shutil.copyfile(path, target / path.name)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass
class StepOutcomes:
    """Which step failed in each test, and with what: recorded through pytest-bdd's own hooks."""

    failures: dict[str, tuple[str, str]] = field(default_factory=dict)
    reached_then: set[str] = field(default_factory=set)

    def pytest_bdd_step_error(self, request: Any, step: Any, exception: BaseException, **_: Any) -> None:
        self.failures[request.node.nodeid] = (step.type, type(exception).__name__)

    def pytest_bdd_before_step_call(self, request: Any, step: Any, **_: Any) -> None:
        if step.type == "then":
            self.reached_then.add(request.node.nodeid)


@pytest.fixture
def outcomes() -> StepOutcomes:
    return StepOutcomes()
