"""pytest's own settings of a project, read from the file pytest would take them from, without
importing pytest: which file that is, and `testpaths`, which decides where scaffold writes tests.

Every scaffold run reads them, a re-scaffold after one edit too: what only some projects need
(an ini parser, globbing) is imported where it is used."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

# Every file pytest may read its settings from, in the order it looks for them in one folder.
SETTINGS_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
_INI_SECTIONS = {
    "pytest.ini": "pytest",
    ".pytest.ini": "pytest",
    "tox.ini": "pytest",
    "setup.cfg": "tool:pytest",
}


def settings_file(root: str, pyproject: Mapping[str, Any] | None = None) -> str:
    """The name of the file pytest takes the project's settings from; "" for none.

    `pyproject` is pyproject.toml's table when the caller has read it already.
    """
    return _settings(root, pyproject)[0]


def setting(root: str, name: str, pyproject: Mapping[str, Any] | None = None) -> object:
    """One of pytest's settings, as written in its settings file; None when it is not set."""
    return _settings(root, pyproject)[1].get(name)


def configured_testpaths(root: str, pyproject: Mapping[str, Any] | None = None) -> list[str]:
    """pytest's `testpaths`, as written (each may be a glob, relative to the root)."""
    value = setting(root, "testpaths", pyproject)
    if isinstance(value, str):
        import shlex

        return shlex.split(value)
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def folders_pytest_collects(root: str, pyproject: Mapping[str, Any] | None = None) -> list[str]:
    """The folders pytest's `testpaths` name, relative to the root, in the order written; [] when
    none is set or none exists (pytest then looks in the whole folder it runs in)."""
    found: list[str] = []
    for entry in configured_testpaths(root, pyproject):
        path = os.path.join(root, entry)
        for match in _matches(path) if any(mark in entry for mark in "*?[") else [path]:
            if os.path.isdir(match):
                relative = os.path.relpath(os.path.realpath(match), os.path.realpath(root))
                if not relative.startswith(os.pardir) and relative not in found:
                    found.append(relative.replace(os.sep, "/"))
    return found


def _matches(pattern: str) -> list[str]:
    import glob

    return sorted(glob.glob(pattern))


def _settings(root: str, pyproject: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    for name in SETTINGS_FILES:
        path = os.path.join(root, name)
        if not os.path.isfile(path):
            continue
        if name == "pyproject.toml":
            table = pyproject if pyproject is not None else _toml(path)
            tool = table.get("tool", {}) if isinstance(table, Mapping) else {}
            pytest = tool.get("pytest") if isinstance(tool, Mapping) else None
            if isinstance(pytest, Mapping):
                ini = pytest.get("ini_options")
                # pytest 9 reads [tool.pytest] itself as native TOML; [tool.pytest.ini_options] as before.
                native = {key: value for key, value in pytest.items() if key != "ini_options"}
                return name, dict(ini) if isinstance(ini, Mapping) else native
            continue
        import configparser

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        section = _INI_SECTIONS[name]
        if parser.has_section(section):
            return name, dict(parser.items(section))
        if name in ("pytest.ini", ".pytest.ini"):
            return name, {}  # pytest takes a pytest.ini even with no [pytest] section
    return "", {}


def _toml(path: str) -> Mapping[str, Any]:
    import tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def default_tests_folder(root: str, pyproject: Mapping[str, Any] | None = None) -> str:
    """Where scaffold writes tests when `[tool.redphase] tests` does not say: `tests`, unless pytest's
    `testpaths` name folders and `tests` is under none of them. Then pytest would never collect
    what was written there, and the first folder it names is used instead."""
    folders = folders_pytest_collects(root, pyproject)
    if not folders or any(
        folder in (".", "tests") or "tests".startswith(folder.rstrip("/") + "/") for folder in folders
    ):
        return "tests"
    return folders[0]
