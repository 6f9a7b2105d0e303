"""What static discovery found in the application: entry points, components and callables."""

from __future__ import annotations

from dataclasses import field
from typing import Literal

from redphase.frozen import frozen

CallableKind = Literal["method", "function", "route", "command"]


@frozen
class Callable:
    """A call a step could make: a public method or function, an HTTP route or a CLI command."""

    target: str  # pkg.mod.Class.method, pkg.mod.func, or "METHOD /path" for a route
    kind: CallableKind
    name: str
    owner: str  # the class's name for a method, else ""
    module: str
    params: tuple[str, ...]
    doc: str
    location: str  # path:line
    handler: str = ""  # a route's view function, dotted
    # How the harness reaches it, e.g. "system.app.registration" (empty: through its module).
    via: str = ""
    # In one of the project's own packages (src/ layout, or the package named like the project),
    # rather than a loose script or tool folder.
    primary: bool = True
    # For a route or a command: the project functions and methods its body calls, by name. A step
    # that names what the handler does ("joins the lobby") reaches it through the entry point.
    calls: tuple[str, ...] = ()
    # "external" for code that wraps an external client (a fake replaces it in the harness),
    # "database" for a store or repository (an isolated instance), "port" for a Protocol or an
    # abstract base that adapters and fakes implement, else "".
    boundary: str = ""
    # A property (or cached_property): read as an attribute, never called.
    reads: bool = False


@frozen
class EntryPoint:
    kind: Literal["configured", "composition-root", "web-app", "route", "cli", "library"]
    target: str
    reason: str
    location: str = ""


@frozen
class FoundComponent:
    name: str
    kind: str  # external, own, database, clock
    treatment: str  # fake, real, isolated
    reason: str
    location: str  # path:line that decided it


@frozen
class SystemModel:
    entry_points: tuple[EntryPoint, ...] = ()
    components: tuple[FoundComponent, ...] = ()
    callables: tuple[Callable, ...] = ()
    files: int = 0
    notes: tuple[str, ...] = field(default=())
