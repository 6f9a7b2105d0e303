"""The built wheel carries the top-level templates/ folder and works from a fresh virtualenv."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import make_project

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_venv_and_scaffolds(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = dist.glob("redphase-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    templates = sorted((REPO / "templates").rglob("*.jinja"))
    for template in templates:
        assert f"redphase/templates/{template.relative_to(REPO / 'templates').as_posix()}" in names

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True
    )

    root = make_project(
        tmp_path / "project", {"signup.feature": "Feature: Signup\n  Scenario: s\n    Then it holds\n"}
    )
    completed = subprocess.run(
        [str(environment / "bin" / "redphase"), "scaffold"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert (root / "tests" / "test_signup.py").is_file()
    located = subprocess.run(
        [str(python), "-c", "from redphase.render.templates import templates_root; print(templates_root())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(environment) in located.stdout
