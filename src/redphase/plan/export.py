"""The harness description as plain data, for `redphase plan` (YAML or JSON)."""

from __future__ import annotations

import json
from typing import Any

from redphase.discover.assembly import describe as describe_assembly
from redphase.plan import wiring
from redphase.plan.call_fit import Signatures
from redphase.plan.components import Component
from redphase.plan.model import FeaturePlan, HarnessPlan, StepUse
from redphase.project.layout import display


def to_data(plan: HarnessPlan, formatting: dict[str, Any] | None = None) -> dict[str, Any]:
    """`formatting` describes the formatter the render stage will run (render.formatting.describe)."""
    model = plan.discovered
    memo: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    signatures = Signatures(plan.root)
    system: dict[str, Any] = {"entry_point": plan.system.entry_point or None, "reason": plan.system.reason}
    if model is not None:
        found = wiring.entry_points(model)
        if not plan.system.entry_point and found:
            system.update(entry_point=found[0]["target"], reason=f"{found[0]['kind']}: {found[0]['reason']}")
        system["entry_points"] = found
        system["application_files"] = model.files
    if plan.assembly is not None:
        # How a harness that scaffold writes would build the system, and what it would fake.
        system["assembly"] = describe_assembly(plan.assembly)
    return {
        "system_under_test": system,
        "components": (
            wiring.components(plan, model)
            if model is not None
            else [_component(component) for component in plan.components]
        ),
        # Which formatter scaffold runs over this plan's code, with which settings from where.
        "formatting": formatting or {},
        "features": [_feature(feature, plan, memo, signatures) for feature in plan.features],
    }


def _component(component: Component) -> dict[str, str]:
    return {
        "name": component.name,
        "kind": component.kind,
        "treatment": component.treatment,
        "reason": component.reason,
    }


def _feature(
    feature: FeaturePlan, plan: HarnessPlan, memo: dict[Any, Any], signatures: Signatures
) -> dict[str, Any]:
    return {
        "file": feature.display,
        "name": feature.name,
        "language": feature.language,
        "test_module": display(feature.module, plan.root),
        "steps_module": display(feature.steps_module, plan.root),
        "binds": feature.binding,
        "scenarios": [
            {
                "name": scenario.name,
                "line": scenario.line,
                "test": scenario.test_name or "(already bound)",
                "tags": list(scenario.tags),
                "examples": scenario.example_rows,
                "scope": scenario.scope,
                "outcome": scenario.outcome,
                "steps": [_step(use, plan, memo, signatures) for use in scenario.steps],
            }
            for scenario in feature.scenarios
        ],
    }


def _step(use: StepUse, plan: HarnessPlan, memo: dict[Any, Any], signatures: Signatures) -> dict[str, Any]:
    definition = plan.definitions_by_key.get(use.key)
    data: dict[str, Any] = {
        "keyword": use.keyword.strip(),
        "text": use.text,
        "line": use.line,
        "type": use.kind,
        "phase": use.phase,
        "pattern": use.expression,
    }
    data["parameters"] = [
        {"name": p.name, "type": p.type, "python": p.python_type, "from": p.origin} for p in use.params
    ]
    if definition is not None:
        data["function"] = definition.function_name
    if use.defined_at:
        data["defined_at"] = use.defined_at
    data["components"] = [{"name": c.name, "treatment": c.treatment, "why": c.reason} for c in use.components]
    if plan.discovered is not None:
        data["wiring"] = wiring.step_wiring(use, plan.discovered, memo, signatures)
    return data


def to_json(plan: HarnessPlan, formatting: dict[str, Any] | None = None) -> str:
    return json.dumps(to_data(plan, formatting), indent=2, ensure_ascii=False) + "\n"


def to_yaml(plan: HarnessPlan, formatting: dict[str, Any] | None = None) -> str:
    import yaml

    data = to_data(plan, formatting)
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
