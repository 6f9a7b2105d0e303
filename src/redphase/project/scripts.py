"""The commands a project declares for installers to create: its console and GUI scripts."""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path

from redphase.frozen import frozen


@frozen
class DeclaredScript:
    """One command an install creates: `name` runs `spec` (module:function)."""

    name: str
    spec: str
    declared_in: str  # where, as a person would look for it: "[project.scripts]"
    gui: bool = False


def declared_scripts(root: Path) -> list[DeclaredScript]:
    """Every script in pyproject.toml ([project.scripts], [project.gui-scripts],
    [tool.poetry.scripts]) and setup.cfg (console_scripts, gui_scripts), in that order."""
    found: list[DeclaredScript] = []
    try:
        document = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        document = {}
    project = document.get("project", {})
    poetry = document.get("tool", {}).get("poetry", {})
    for table, label, gui in (
        (project.get("scripts"), "[project.scripts]", False),
        (project.get("gui-scripts"), "[project.gui-scripts]", True),
        (poetry.get("scripts") if isinstance(poetry, dict) else None, "[tool.poetry.scripts]", False),
    ):
        if isinstance(table, dict):
            found += [
                DeclaredScript(str(name), spec, label, gui)
                for name, spec in table.items()
                if isinstance(spec, str)
            ]
    setup = configparser.ConfigParser()
    try:
        setup.read(root / "setup.cfg", encoding="utf-8")
        for option, gui in (("console_scripts", False), ("gui_scripts", True)):
            declared = setup.get("options.entry_points", option, fallback="")
            for line in declared.splitlines():
                name, equals, spec = line.partition("=")
                if equals and name.strip():
                    found.append(DeclaredScript(name.strip(), spec.strip(), f"setup.cfg {option}", gui))
    except (configparser.Error, UnicodeDecodeError):
        pass
    return found
