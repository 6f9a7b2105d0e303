"""An indexed stand-in for pytest-bdd 9.0.1's step lookup, `find_fixturedefs_for_step`.

pytest-bdd finds a step's definitions by walking every fixture name of the session, asking pytest
which of its definitions the test can see, and trying each step definition's parser on the step.
It does that for every step of every test, so a suite's run time grows with the square of its size.

`StepIndex` gives the same answer, in the same order, from what it worked out once:

- the names under which pytest-bdd registers step definitions, in the session's order, read once
  (and again whenever the session's fixture names change);
- for each node that owns tests (a module, a class), the step definitions it can see, asked of
  pytest through pytest-bdd's own `getfixturedefs` exactly as pytest-bdd asks: at a folder for
  every name, at a module or class only for the names it holds (see `_definitions`);
- for each set of visible definitions, the definitions that match a (step type, step text), tried
  only where the text starts with their literal prefix (`PrefixLookup`, as scaffold files steps).

Tests of one node see the same definitions: pytest-bdd registers step definitions on modules,
classes, conftests and plugins, never on a single test. It is used only on the pytest-bdd version
it was proved against (`SUPPORTED`); on any other, pytest-bdd's own lookup runs. `check` mode runs
both for every step and counts where they differ (the differential tests use it).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redphase.project.index import PrefixLookup

# The pytest-bdd version whose lookup this reproduces (tests/verify/test_step_index.py).
SUPPORTED = "9.0.1"
MODES = ("on", "off", "check")
_STEP_PREFIX = "pytestbdd_stepdef_"

Lookup = Callable[..., Iterable[Any]]


def chosen_mode(explicit: str | None, configured: bool) -> str:
    """`--redphase-step-index`, else `REDPHASE_STEP_INDEX` (on, off, check; 1 and 0), else
    `[tool.redphase] step_index`."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("REDPHASE_STEP_INDEX", "").strip().lower()
    if from_env:
        return {"1": "on", "true": "on", "0": "off", "false": "off"}.get(from_env, from_env)
    return "on" if configured else "off"


def supported() -> bool:
    try:
        return version("pytest-bdd") == SUPPORTED
    except Exception:
        return False


class StepIndex:
    """The lookup for one pytest session; `install` puts it in place, `uninstall` takes it away."""

    def __init__(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(
                f"REDPHASE_STEP_INDEX / --redphase-step-index: {mode!r} is not one of {', '.join(MODES)}"
            )
        self.mode = mode
        self.lookups = 0
        self.differences: list[str] = []
        self._original: Lookup | None = None
        # Every fixture name at the last lookup, and those of step definitions, in the session's order.
        self._seen: list[str] = []
        self._seen_set: set[str] = set()
        self._names: list[str] = []
        # owner node -> (number of its set of visible definitions, that set); nodes that see the
        # same definitions share a number, and so share the matches.
        self._visible: dict[Any, tuple[int, tuple[Any, ...]]] = {}
        self._by_name: dict[Any, dict[str, list[tuple[Any, Any]]]] = {}
        self._sets: dict[tuple[Any, ...], int] = {}
        self._matches: dict[tuple[int, str | None, str], list[Any]] = {}
        # set number -> its definitions filed by literal prefix, so a step tries only those that can match.
        self._lookups: dict[int, PrefixLookup] = {}

    @property
    def active(self) -> bool:
        return self._original is not None

    def install(self) -> None:
        if self.mode == "off" or not supported():
            return
        scenario = _scenario_module()
        self._original = scenario.find_fixturedefs_for_step
        scenario.find_fixturedefs_for_step = self.find

    def uninstall(self) -> None:
        if self._original is None:
            return
        _scenario_module().find_fixturedefs_for_step = self._original
        self._original = None

    def find(self, step: Any, fixturemanager: Any, node: Any) -> list[Any]:
        found = self._indexed(step, fixturemanager, node)
        self.lookups += 1
        if self.mode == "check" and self._original is not None:
            theirs = list(self._original(step=step, fixturemanager=fixturemanager, node=node))
            if theirs != found:
                self.differences.append(
                    f"{node.nodeid}: {step.type} {step.name!r}: pytest-bdd {_names(theirs)}, index {_names(found)}"
                )
                return theirs
        return found

    def _indexed(self, step: Any, fixturemanager: Any, node: Any) -> list[Any]:
        from pytest_bdd.compat import get_fixture_names

        names = get_fixture_names(fixturemanager=fixturemanager)
        if names != self._seen:
            self._names_changed(names)
        number, visible = self._visible_to(fixturemanager, _owner(node))
        key = (number, step.type, step.name)
        matches = self._matches.get(key)
        if matches is None:
            lookup = self._lookups.get(number)
            if lookup is None:
                lookup = self._lookups[number] = _filed([context.parser for _, context in visible])
            matches = []
            for position in lookup.candidates(step.name):
                fixturedef, context = visible[position]
                if (context.type is None or context.type == step.type) and context.parser.is_matching(
                    step.name
                ):
                    matches.append(fixturedef)
            self._matches[key] = matches
        return list(matches)

    def _names_changed(self, names: list[str]) -> None:
        """Start afresh when step definitions' names came or went since the last lookup.

        Other names come and go all through a run: pytest-bdd registers each step's arguments and
        target fixtures as fixtures, and a temporary fixture around every step. Filtering every name
        again for each of those was most of a large suite's lookups; a set difference finds the few
        names that changed, in C.
        """
        now = set(names)
        changed = now.symmetric_difference(self._seen_set)
        self._seen, self._seen_set = names, now
        if self._names and not any(name.startswith(_STEP_PREFIX) for name in changed):
            return
        self._names = [name for name in names if name.startswith(_STEP_PREFIX)]
        self._visible.clear()
        self._by_name.clear()
        self._sets.clear()
        self._matches.clear()
        self._lookups.clear()

    def _visible_to(self, fixturemanager: Any, owner: Any) -> tuple[int, tuple[Any, ...]]:
        known = self._visible.get(owner)
        if known is None:
            by_name = self._definitions(fixturemanager, owner)
            visible = tuple(pair for name in self._names if name in by_name for pair in by_name[name])
            definitions = tuple(fixturedef for fixturedef, _ in visible)
            known = (self._sets.setdefault(definitions, len(self._sets)), visible)
            self._visible[owner] = known
        return known

    def _definitions(self, fixturemanager: Any, owner: Any) -> dict[str, list[tuple[Any, Any]]]:
        """Step definition name -> (definition, its context) pairs `owner` sees, as pytest gives them.

        Asking pytest for every name at every module cost modules × names. A module or class
        registers fixtures only under names it holds (pytest reads them from `dir()` of it), so it
        sees what its parent sees under every other name, and only its own names are asked again.
        """
        known = self._by_name.get(owner)
        if known is not None:
            return known
        own = _names_held_by(owner)
        if own is None or owner.parent is None:
            by_name = {name: pairs for name in self._names if (pairs := _pairs(fixturemanager, name, owner))}
        else:
            by_name = dict(self._definitions(fixturemanager, owner.parent))
            for name in own.intersection(self._names):
                pairs = _pairs(fixturemanager, name, owner)
                if pairs:
                    by_name[name] = pairs
                else:
                    by_name.pop(name, None)
        self._by_name[owner] = by_name
        return by_name


def _pairs(fixturemanager: Any, name: str, owner: Any) -> list[tuple[Any, Any]]:
    from pytest_bdd.compat import getfixturedefs
    from pytest_bdd.steps import step_function_context_registry

    pairs = []
    for fixturedef in getfixturedefs(fixturemanager, name, owner) or []:
        context = step_function_context_registry.get(fixturedef.func)
        if context is not None:
            pairs.append((fixturedef, context))
    return pairs


def _names_held_by(owner: Any) -> set[str] | None:
    """The names a module or class holds, where pytest looks for its fixtures; None for other nodes."""
    import pytest

    if not isinstance(owner, (pytest.Module, pytest.Class)):
        return None
    try:
        return set(dir(owner.obj))
    except Exception:  # an object that cannot be listed: ask pytest for every name
        return None


def _filed(parsers: list[Any]) -> PrefixLookup:
    """The parsers filed by prefix; one of a class other than pytest-bdd's own four (a subclass with
    its own matching, say) is filed under no prefix, so it is tried for every step, as pytest-bdd tries it."""
    from pytest_bdd import parsers as known

    from redphase.project.index import PrefixLookup

    own = (known.string, known.re, known.parse, known.cfparse)
    return PrefixLookup(parser if type(parser) in own else None for parser in parsers)


def _scenario_module() -> Any:
    # `pytest_bdd.scenario` the attribute is the `scenario` function, not the module.
    return importlib.import_module("pytest_bdd.scenario")


def _owner(node: Any) -> Any:
    """The node whose fixtures a test sees: its parent, for a test item."""
    import pytest

    if isinstance(node, pytest.Item) and node.parent is not None:
        return node.parent
    return node


def _names(fixturedefs: Iterable[Any]) -> list[str]:
    return [f"{fixturedef.argname}@{fixturedef.baseid}" for fixturedef in fixturedefs]
