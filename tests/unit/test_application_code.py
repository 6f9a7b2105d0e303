"""The project's own packages count as application code where they run from: installed as a wheel
outside the project too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from redphase.verify.appcode import ApplicationCode


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A project with src/greeter, and a copy of greeter installed in a site folder outside it."""
    project, site = tmp_path / "project", tmp_path / "site"
    for base in (project / "src", site):
        (base / "greeter").mkdir(parents=True)
        (base / "greeter" / "__init__.py").write_text("", encoding="utf-8")
        (base / "greeter" / "core.py").write_text("def greet(): ...\n", encoding="utf-8")
    (site / "other").mkdir()
    (site / "other" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "greeter", raising=False)
    return project, site


def test_the_installed_copy_of_a_project_package_is_application_code(installed: tuple[Path, Path]) -> None:
    project, site = installed
    code = ApplicationCode(project)
    assert code(str(site / "greeter" / "core.py"))
    assert code(str(project / "src" / "greeter" / "core.py"))
    assert not code(str(site / "other" / "__init__.py"))


def test_a_configured_package_counts_where_it_is_installed_too(installed: tuple[Path, Path]) -> None:
    project, site = installed
    code = ApplicationCode(project, configured=["greeter.core"])
    assert code(str(site / "greeter" / "core.py"))
    assert not code(str(site / "greeter" / "__init__.py"))
    assert not code(str(site / "other" / "__init__.py"))
