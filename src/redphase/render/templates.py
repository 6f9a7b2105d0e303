"""The Jinja2 environment over the top-level `templates/` folder, wherever the package is installed."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any


def templates_root() -> Path:
    """`redphase/templates` inside a wheel; the repository's top-level `templates/` in an editable install."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    repository = Path(__file__).resolve().parents[3] / "templates"
    if repository.is_dir():
        return repository
    raise FileNotFoundError(f"redphase templates are missing: looked in {packaged} and {repository}")


@lru_cache(maxsize=1)
def environment() -> Any:
    import jinja2

    from redphase.render import literals

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_root())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["py"] = literals.string_literal
    env.filters["pattern"] = literals.pattern_literal
    return env


def render(name: str, **context: Any) -> str:
    return str(environment().get_template(name).render(**context))
