"""`redphase init`: a new project from the cookiecutter template in `templates/init`.

The same template renders with `cookiecutter`: redphase renders it the way cookiecutter does (each
answer rendered in order with the ones before it), and both finish by scaffolding the example's
tests through `redphase scaffold`, so template and scaffold can never drift apart.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from redphase.diagnostics import UsageError
from redphase.frozen import frozen

TEMPLATE = "init"
PROJECT_DIR = "{{cookiecutter.project_slug}}"


@frozen
class InitResult:
    root: Path
    files: tuple[Path, ...]


def template_dir() -> Path:
    from redphase.render.templates import templates_root

    return templates_root() / TEMPLATE


def questions() -> dict[str, str]:
    """The template's questions and their raw defaults, in order, from cookiecutter.json."""
    data = json.loads((template_dir() / "cookiecutter.json").read_text(encoding="utf-8"))
    return {str(key): str(value) for key, value in data.items() if not str(key).startswith("_")}


def render_default(raw: str, answers: dict[str, str]) -> str:
    import jinja2

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return str(environment.from_string(raw).render(cookiecutter=answers))


def complete_answers(given: dict[str, str | None]) -> dict[str, str]:
    """Every answer: those given, the rest from the template's defaults, in cookiecutter's order."""
    answers: dict[str, str] = {}
    for key, raw in questions().items():
        value = given.get(key)
        answers[key] = value if value is not None else render_default(raw, answers)
    validate(answers)
    return answers


def validate(answers: dict[str, str]) -> None:
    package = answers["package_name"]
    if not package.isidentifier() or keyword.iskeyword(package) or not package.isascii():
        raise UsageError(
            f"package name {package!r} is not a valid Python package name (try {re.sub(r'[^0-9a-zA-Z_]', '_', package).lower()!r})"
        )
    if package in sys.stdlib_module_names:
        # The package and the standard library's module of the same name cannot both be imported.
        raise UsageError(
            f"package name {package!r} is taken by a standard library module (try {package + '_app'!r})"
        )
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", answers["project_slug"]):
        raise UsageError(f"project slug {answers['project_slug']!r} is not a valid distribution name")
    for key in ("project_name", "description"):
        if re.search(r'["\\\n\r]', answers[key]) or "{{" in answers[key] or "{%" in answers[key]:
            raise UsageError(
                f"{key.replace('_', ' ')} may not contain quotes, backslashes, line breaks or template syntax"
            )


def init_project(target: Path, answers: dict[str, str]) -> InitResult:
    target = target.absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(
            f"{target} already exists and is not empty: redphase init only creates new projects; nothing was changed"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    # Rendered beside the target and moved into place at the end, so a failure leaves nothing behind.
    with tempfile.TemporaryDirectory(prefix=f".{target.name}.", dir=target.parent) as scratch:
        staging = Path(scratch) / "project"
        render_tree(template_dir() / PROJECT_DIR, staging, answers)
        scaffold_example(staging)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    files = tuple(sorted(path for path in target.rglob("*") if path.is_file()))
    return InitResult(target, files)


def render_tree(source: Path, destination: Path, answers: dict[str, str]) -> None:
    import jinja2

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    context: dict[str, Any] = {"cookiecutter": answers}
    for directory, subdirs, files in os.walk(source):
        subdirs.sort()
        relative = Path(directory).relative_to(source)
        rendered_dir = destination / Path(
            *(environment.from_string(part).render(context) for part in relative.parts)
        )
        rendered_dir.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            text = (Path(directory) / name).read_text(encoding="utf-8")
            target = rendered_dir / environment.from_string(name).render(context)
            target.write_text(environment.from_string(text).render(context), encoding="utf-8")
            shutil.copymode(Path(directory) / name, target)


def scaffold_example(project: Path) -> None:
    """Generate the example's tests with the scaffold pipeline itself."""
    from redphase.config import load_config
    from redphase.scaffold import scaffold

    # No cache: a new project should hold nothing but its own files.
    result = scaffold(load_config(project), [], use_cache=False)
    problems = [d.render() for d in result.diagnostics if d.is_error]
    if problems:
        raise RuntimeError("the init template's features do not scaffold:\n" + "\n".join(problems))
