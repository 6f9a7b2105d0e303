"""The Jinja2 environment over the top-level `templates/` folder, wherever the package is installed."""

from __future__ import annotations

import os
from functools import lru_cache

# Light at import: the run cache hashes the templates at start-up, before pathlib or typing load.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def templates_root() -> Path:
    from pathlib import Path

    return Path(templates_folder())


def templates_folder() -> str:
    """`redphase/templates` inside a wheel; the repository's top-level `templates/` in an editable install."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    packaged = os.path.join(package, "templates")
    if os.path.isdir(packaged):
        return packaged
    repository = os.path.join(os.path.dirname(os.path.dirname(package)), "templates")
    if os.path.isdir(repository):
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
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["py"] = literals.string_literal
    env.filters["pattern"] = literals.pattern_literal
    return env


def render(name: str, **context: Any) -> str:
    return str(environment().get_template(name).render(**context))
