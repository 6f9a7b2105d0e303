"""The harness description from the code: discovered entry points and components, and every step's
wiring candidates (calls reachable from the entry point, ranked by the step's words and phase)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from redphase.config import Config
from redphase.discover.model import SystemModel
from redphase.discover.rank import call_expression, rank
from redphase.discover.scan import discover
from redphase.plan.call_fit import Signatures
from redphase.plan.components import TREATMENT_BY_KIND, Component
from redphase.plan.model import HarnessPlan, StepUse

# Reasons that a person wrote (a tag, or [tool.redphase.components]) beat what the code says.
OVERRIDE_PREFIXES = ("tag @",)


def with_discovery(plan: HarnessPlan, config: Config) -> HarnessPlan:
    return replace(plan, discovered=discovered(config))


def discovered(config: Config) -> SystemModel:
    """What the code says, with `[tool.redphase.components]` overriding its components."""
    model = discover(config)
    overrides = {override.name: override for override in config.components}
    found = []
    for component in model.components:
        override = overrides.get(component.name)
        if override is not None and (override.kind or override.treatment):
            kind = override.kind or component.kind
            component = replace(
                component,
                kind=kind,
                treatment=override.treatment or TREATMENT_BY_KIND.get(kind, component.treatment),
                reason=f"[tool.redphase.components] in {config.source} overrides: {component.reason}",
            )
        found.append(component)
    return replace(model, components=tuple(found))


def entry_points(model: SystemModel) -> list[dict[str, str]]:
    return [
        {"kind": e.kind, "target": e.target, "reason": e.reason, "at": e.location} for e in model.entry_points
    ]


def components(plan: HarnessPlan, model: SystemModel) -> list[dict[str, Any]]:
    """Components found in the code first (with the file:line that decided it), then those that
    only the steps' words suggest, reported as such."""
    from_words = {component.name: component for component in plan.components}
    found: dict[str, dict[str, Any]] = {}
    for component in model.components:
        data: dict[str, Any] = {
            "name": component.name,
            "kind": component.kind,
            "treatment": component.treatment,
            "reason": component.reason,
            "source": "override" if "[tool.redphase.components]" in component.reason else "code",
            "at": component.location,
            "confidence": 0.9,
        }
        named = from_words.get(component.name)
        if named is not None and _overridden(named):
            data.update(kind=named.kind, treatment=named.treatment, reason=named.reason, source="override")
        found[component.name] = data
    for name, suggested in from_words.items():
        if name in found:
            continue
        overridden = _overridden(suggested)
        found[name] = {
            "name": name,
            "kind": suggested.kind,
            "treatment": suggested.treatment,
            "reason": suggested.reason,
            "source": "override" if overridden else "step words",
            "confidence": 0.9 if overridden else 0.4,
        }
    return [found[name] for name in sorted(found)]


def _overridden(component: Component) -> bool:
    return component.reason.startswith(OVERRIDE_PREFIXES) or "[tool.redphase.components]" in component.reason


def step_wiring(
    use: StepUse,
    model: SystemModel,
    memo: dict[tuple[str, str, str, str], list[dict[str, Any]]] | None = None,
    signatures: Signatures | None = None,
) -> list[dict[str, Any]]:
    """The step's wiring candidates, best first. The same step recurs in many scenarios: `memo`
    keeps each one's answer for the run."""
    params = [(param.name, param.type) for param in use.params]
    key = (use.kind, use.text, use.expression, repr(params))
    if memo is not None and key in memo:
        return [dict(entry) for entry in memo[key]]
    wiring = candidates(use.text, use.kind, params, use.expression, model, signatures=signatures)
    if memo is not None:
        memo[key] = wiring
    return [dict(entry) for entry in wiring]


def candidates(
    text: str,
    kind: str,
    params: Sequence[tuple[str, str]],
    expression: str,
    model: SystemModel,
    limit: int = 5,
    signatures: Signatures | None = None,
) -> list[dict[str, Any]]:
    """The wiring candidates of one step text, best first, as the plan's JSON gives them. With
    `signatures`, a call that could only raise (a required parameter left out, a step's text handed
    to a parameter annotated as something else) is no candidate."""
    wiring: list[dict[str, Any]] = []
    # A property is read, not called: only a Then reads without changing anything.
    callables = model.callables if kind == "then" else [item for item in model.callables if not item.reads]
    for candidate in rank(text, kind, callables, limit=limit if signatures is None else limit + 8):
        if len(wiring) == limit:
            break
        item = candidate.callable
        call = call_expression(item, params, expression)
        if signatures is not None and signatures.refuses(item, call, params, kind):
            continue
        entry: dict[str, Any] = {"target": item.target}
        if item.handler:
            entry["handler"] = item.handler
        entry["call"] = call
        entry["confidence"] = candidate.confidence
        entry["why"] = f"{candidate.why} ({item.location})"
        wiring.append(entry)
    return wiring
