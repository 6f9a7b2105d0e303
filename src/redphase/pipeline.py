"""The scaffold pipeline proper: parse → plan → render → write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redphase.config import Config
from redphase.diagnostics import Diagnostic
from redphase.parse.model import FeatureFile
from redphase.parse.reader import read_feature
from redphase.plan.model import FeaturePlan, HarnessPlan
from redphase.plan.planner import plan_features
from redphase.project import layout
from redphase.project.index import ProjectIndex, index_project
from redphase.render import renderer
from redphase.render.formatting import formatted
from redphase.scaffold import ScaffoldResult
from redphase.write.files import (
    Change,
    OutsideProject,
    appended,
    ensure_inside,
    plan_change,
    read_text,
    write_atomically,
)


def run(config: Config, feature_paths: Sequence[Path], result: ScaffoldResult, *, dry_run: bool) -> None:
    files = _read_all(config, feature_paths, result)
    index = index_project(config.tests, config.bdd_features_base_dir)
    plan = plan_features(files, config, index)
    result.diagnostics += list(plan.diagnostics)
    for feature in plan.features:
        result.diagnostics += list(feature.diagnostics)
    result.features = len(plan.features)
    result.scenarios = sum(len(feature.scenarios) for feature in plan.features)
    result.changes = _changes(plan, index, config)
    if not dry_run:
        for change in result.pending:
            write_atomically(change.path, change.new, config.root)


def plan_for(config: Config, feature_paths: Sequence[Path]) -> tuple[HarnessPlan | None, list[Diagnostic]]:
    result = ScaffoldResult()
    files = _read_all(config, feature_paths, result)
    if result.has_errors:
        return None, result.diagnostics
    index = index_project(config.tests, config.bdd_features_base_dir)
    plan = plan_features(files, config, index)
    return plan, result.diagnostics + list(plan.diagnostics) + [
        d for f in plan.features for d in f.diagnostics
    ]


def _read_all(config: Config, paths: Sequence[Path], result: ScaffoldResult) -> list[FeatureFile]:
    files = []
    for path in paths:
        shown = layout.display(path.absolute(), config.root)
        try:
            resolved = ensure_inside(path.absolute(), config.root)
        except OutsideProject as error:
            result.diagnostics.append(
                Diagnostic(shown, 1, 1, f"refused: {error}", fix="scaffold features inside the project")
            )
            continue
        parsed = read_feature(resolved, layout.display(resolved, config.root))
        if isinstance(parsed, list):
            result.diagnostics += parsed
        else:
            files.append(parsed)
    return files


@dataclass(frozen=True)
class _Python:
    """Rendered Python; `base` is the person's text it is appended to, None for a new file."""

    base: str | None
    rendered: renderer.Python


def _changes(plan: HarnessPlan, index: ProjectIndex, config: Config) -> list[Change]:
    texts: dict[Path, str | _Python] = {}
    for feature in plan.features:
        _feature_files(feature, plan, index, texts)
    _harness_files(plan, index, config, texts)
    python = [(path, text) for path, text in texts.items() if isinstance(text, _Python)]
    sources = formatted([text.rendered for _, text in python])
    final = {path: text for path, text in texts.items() if isinstance(text, str)}
    for (path, text), source in zip(python, sources, strict=True):
        final[path] = source if text.base is None else appended(text.base, source)
    return [
        plan_change(ensure_inside(path, config.root), final[path], read_text(path)) for path in sorted(final)
    ]


def _feature_files(
    feature: FeaturePlan, plan: HarnessPlan, index: ProjectIndex, texts: dict[Path, str | _Python]
) -> None:
    if feature.runnable_copy is not None and feature.runnable_source is not None:
        texts[feature.runnable_copy] = feature.runnable_source
    if feature.new_scenarios:
        existing = read_text(feature.module)
        if existing is None:
            texts[feature.module] = _Python(None, renderer.test_module(feature, plan))
        else:
            module = index.modules.get(feature.module)
            names = module.names if module else set()
            constants = module.constants if module else {}
            texts[feature.module] = _Python(existing, renderer.scenarios_chunk(feature, names, constants))
    if feature.definitions:
        existing = read_text(feature.steps_module)
        if existing is None:
            texts[feature.steps_module] = _Python(None, renderer.steps_module(feature, plan))
        else:
            module = index.modules.get(feature.steps_module)
            names = set(module.names) if module else set()
            texts[feature.steps_module] = _Python(existing, renderer.steps_chunk(feature.definitions, names))


def _harness_files(
    plan: HarnessPlan, index: ProjectIndex, config: Config, texts: dict[Path, str | _Python]
) -> None:
    if not plan.features:
        return
    conftest = layout.conftest(config)
    existing = read_text(conftest)
    conftest_names = index.modules[conftest].names if conftest in index.modules else set()
    with_harness = "system" not in index.fixtures
    with_plumbing = "_load_step_modules" not in conftest_names
    if existing is None:
        texts[conftest] = _Python(None, renderer.conftest(with_harness, with_plumbing, standalone=True))
    elif with_harness or with_plumbing:
        chunk = renderer.conftest(with_harness, with_plumbing, standalone=False, present=conftest_names)
        texts[conftest] = _Python(existing, chunk)
    # Health checks call the generated harness; a project with its own `system` owns its checks too.
    health = layout.health_module(config)
    if with_harness and health not in index.modules:
        texts[health] = _Python(None, renderer.health_module())
    markers = layout.markers_file(config)
    old_markers = (read_text(markers) or "").splitlines()
    texts[markers] = renderer.markers(plan, [line for line in old_markers if line.strip()])
