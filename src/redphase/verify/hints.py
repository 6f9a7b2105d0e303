"""Hints a person can act on, one per kind of bad red."""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_CANNOT_IMPORT = re.compile(r"cannot import name '([\w]+)' from '([\w.]+)'")
_NO_MODULE = re.compile(r"No module named '([\w.]+)'")
_MARKER = re.compile(r"'([^']+)' not found in `markers` configuration option")
_DEFINED = re.compile(r"^(?:async\s+def|def|class)\s+(\w+)|^(\w+)\s*[:=]", re.M)
_FIXTURE = re.compile(r"fixture '([^']+)' not found")
_AVAILABLE = re.compile(r"available fixtures: (.+?)(?:\n|$)")
_TEST_DIRS = {"tests", "test", "testing"}
_SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    "site-packages",
    "build",
    "dist",
    ".tox",
}


def collection_category(text: str) -> str:
    if "not found in `markers` configuration option" in text:
        return "marker"
    if re.search(r"\b(SyntaxError|IndentationError|TabError)\b", text):
        return "syntax"
    if re.search(r"\b(ImportError|ModuleNotFoundError|cannot import name)\b", text):
        return "import"
    if re.search(
        r"(FeatureError|ScenarioNotFound|GherkinParseError|StepError|\.feature|NoScenariosFound)", text
    ):
        return "feature"
    return "other"


def collection_hint(category: str, text: str, rootdir: Path) -> str:
    if category == "marker":
        match = _MARKER.search(text)
        name = match.group(1) if match else "NAME"
        return _marker_hint(name, rootdir)
    if category == "import":
        match = _CANNOT_IMPORT.search(text)
        if match:
            name, module = match.groups()
            found = find_definition(name, rootdir)
            if found:
                return f"{name} is not in {module}; it is defined in {found}: from {found} import {name}"
            close = difflib.get_close_matches(name, _names_defined_in(module, rootdir), n=1, cutoff=0.6)
            if close:
                return f"{module} has no {name}; did you mean {close[0]}? from {module} import {close[0]}"
            return f"nothing in the project defines {name}: create it in {module}, or fix the import"
        missing = _NO_MODULE.search(text)
        if missing:
            return missing_module_hint(missing.group(1), rootdir)
        return "fix the import named in the error"
    if category == "syntax":
        return "fix the syntax error at the line shown"
    if category == "feature":
        return "the feature file is missing, invalid, or lacks the scenario the module binds: run `redphase scaffold --check`"
    return "read the error above; the module could not be collected"


def _marker_hint(name: str, rootdir: Path) -> str:
    """Where to register a marker: in the file pytest reads its settings from, in its own syntax."""
    from redphase.pytest_settings import settings_file

    ini = settings_file(str(rootdir))
    ini = "pytest.ini" if ini == ".pytest.ini" else ini
    if ini in ("pytest.ini", "tox.ini", "setup.cfg"):
        section = "[tool:pytest]" if ini == "setup.cfg" else "[pytest]"
        return f"register the marker in {ini}:\n{section}\nmarkers =\n    {name}: what it marks"
    return f'register the marker in pyproject.toml:\n[tool.pytest.ini_options]\nmarkers = [\n    "{name}: what it marks",\n]'


def missing_module_hint(name: str, rootdir: Path) -> str:
    """Why the project's own module `name` may not import, where the project shows it; else the general advice."""
    parts = name.split(".")
    top = parts[0]
    setting = 'pytest\'s `pythonpath` setting ([tool.pytest.ini_options] pythonpath = ["{folder}"] in pyproject.toml)'
    for base in (rootdir / "src", rootdir):
        depth = _existing_depth(base, parts)
        if 0 < depth < len(parts):
            folder = base.joinpath(*parts[:depth]).relative_to(rootdir).as_posix()
            return (
                f"the project has {folder}/ but no {parts[depth]}.py or {parts[depth]}/ package in it: "
                f"create it, or fix the name {name}"
            )
    if _existing_depth(rootdir / "src", parts) == len(parts):
        return (
            f"module {name} is under src/, which is not on sys.path: install the project (pip install -e .), "
            f"or add src to {setting.format(folder='src')}"
        )
    found = _module_below_root(top, rootdir)
    if found is not None:
        # The module importing it expects the folder on sys.path, as a folder of scripts does.
        folder = found.parent.relative_to(rootdir).as_posix()
        return (
            f"module {top} is {found.relative_to(rootdir).as_posix()}, but {folder} is not on sys.path, "
            f"where the code importing it expects it: add {folder} to {setting.format(folder=folder)}"
        )
    return f"module {name} cannot be imported: install it, or check pythonpath/src layout"


def _existing_depth(base: Path, parts: list[str]) -> int:
    """How many leading parts of a dotted module name exist below `base`: folders, the last one a
    folder or a module file."""
    depth = 0
    for part in parts:
        here = base.joinpath(*parts[:depth], part)
        if here.is_dir():
            depth += 1
        elif here.with_suffix(".py").is_file():
            # A module file ends the name; one that goes on below a file has no clean gap to name.
            return depth + 1 if part == parts[-1] else len(parts) + 1
        else:
            break
    return depth


@functools.lru_cache(maxsize=64)
def _module_below_root(top: str, rootdir: Path) -> Path | None:
    """The first module file or package folder named `top` in a folder below the project root.
    Test folders are left out: a fake there named like a library would shadow the library."""
    for directory, subdirs, files in os.walk(rootdir):
        subdirs[:] = sorted(
            d for d in subdirs if d not in _SKIP_DIRS and d not in _TEST_DIRS and not d.startswith(".")
        )
        here = Path(directory)
        if here == rootdir:
            continue
        if f"{top}.py" in files:
            return here / f"{top}.py"
        if top in subdirs and (here / top / "__init__.py").is_file():
            return here / top
    return None


def find_definition(name: str, rootdir: Path) -> str:
    """The importable module in the project that defines `name` (def, class or assignment), or ""."""
    pattern = re.compile(rf"^(?:async\s+def|def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*[:=]", re.M)
    for directory, subdirs, files in os.walk(rootdir):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS and not d.startswith("."))
        for filename in sorted(files):
            if not filename.endswith(".py"):
                continue
            path = Path(directory) / filename
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if pattern.search(text):
                return _module_name(path, rootdir)
    return ""


def _names_defined_in(module: str, rootdir: Path) -> list[str]:
    """The top-level names a project module defines, read without importing it."""
    relative = Path(*module.split("."))
    for base in (rootdir / "src", rootdir):
        for candidate in (base / relative.with_suffix(".py"), base / relative / "__init__.py"):
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            return [a or b for a, b in _DEFINED.findall(text)]
    return []


def _module_name(path: Path, rootdir: Path) -> str:
    relative = path.relative_to(rootdir)
    parts = list(relative.with_suffix("").parts)
    if parts and parts[0] == "src":
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def fixture_hint(text: str) -> str:
    match = _FIXTURE.search(text)
    if not match:
        return "a fixture failed during setup: see the error"
    missing = match.group(1)
    available = _AVAILABLE.search(text)
    names = [name.strip() for name in available.group(1).split(",")] if available else []
    close = difflib.get_close_matches(missing, names, n=1, cutoff=0.5)
    if close:
        return f"no fixture named {missing!r}; the closest existing fixture is {close[0]!r}"
    return (
        f"no fixture named {missing!r}: define it in a conftest.py, or, if a step makes it, give that "
        f"step's decorator target_fixture={missing!r} (pytest-bdd keeps a step's return value only then)"
    )


def infrastructure_hint(address: str) -> str:
    if address:
        return f"{address} refused or did not answer: replace the external service with a fake in the harness, or start it"
    return "a service could not be reached: replace it with a fake in the harness, or start it"


def undefined_step_hint(step: Mapping[str, Any]) -> str:
    """A ready step definition for the missing step: through the harness where the project has
    redphase's `system` fixture, a plain pytest-bdd definition where it has not."""
    from redphase.parse.model import StepKind
    from redphase.plan.expressions import pattern_for
    from redphase.plan.model import StepDefinition
    from redphase.plan.names import step_function_name

    kind: StepKind = step["type"] if step["type"] in ("given", "when", "then") else "given"
    pattern = pattern_for(step["text"])
    definition = StepDefinition(
        kind=kind,
        expression=pattern.expression,
        parts=pattern.parts,
        params=pattern.params,
        function_name=step_function_name(kind, pattern.expression),
        takes_datatable=bool(step.get("datatable")),
        takes_docstring=bool(step.get("docstring")),
        components=(),
        example_location="",
    )
    if step.get("harness"):
        from redphase.render.formatting import formatted
        from redphase.render.renderer import steps_chunk

        code = formatted([steps_chunk((definition,), ())])[0]
    else:
        code = _plain_definition(definition)
    return "add this step definition (or run `redphase scaffold`):\n" + code


def _plain_definition(definition: Any) -> str:
    import black

    converters = {"int": "int", "float": "float", "string": "lambda quoted: quoted[1:-1]"}
    typed = [p for p in definition.params if p.type in converters]
    # converters= belongs to the step decorator, not to parsers.re
    decorator = f"parsers.re({definition.regex!r})"
    if typed:
        decorator += ", converters={" + ", ".join(f"{p.name!r}: {converters[p.type]}" for p in typed) + "}"
    parameters = [f"{p.name}: {p.python_type}" for p in definition.params]
    parameters += ["datatable: list[list[str]]"] if definition.takes_datatable else []
    parameters += ["docstring: str"] if definition.takes_docstring else []
    action = {"given": "arrange the state", "when": "act", "then": "read the outcome and assert on it"}
    code = (
        f"from pytest_bdd import {definition.kind}, parsers\n\n\n"
        f"@{definition.kind}({decorator})\n"
        f"def {definition.function_name}({', '.join(parameters)}) -> None:\n"
        f"    # {action[definition.kind]} through the application\n"
        "    ...\n"
    )
    return black.format_str(code, mode=black.Mode())
