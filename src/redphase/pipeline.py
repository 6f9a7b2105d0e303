"""The scaffold pipeline proper: parse → plan → render → write."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redphase.config import Config
from redphase.diagnostics import Diagnostic
from redphase.frozen import frozen
from redphase.outcome import FeatureRecord, ScaffoldResult
from redphase.parse.stream import read_in_order
from redphase.progress import Progress
from redphase.project import layout
from redphase.write.files import (
    Change,
    OutsideProject,
    PathGuard,
    Staging,
    appended,
    plan_change,
    read_text,
)

if TYPE_CHECKING:
    from redphase.plan.model import FeaturePlan, HarnessPlan
    from redphase.plan.planner import Planner
    from redphase.project.index import ProjectIndex
    from redphase.render import renderer


def run(
    config: Config,
    feature_paths: Sequence[Path],
    result: ScaffoldResult,
    *,
    dry_run: bool,
    settled: Mapping[str, FeatureRecord] | None = None,
    index_memo: dict[str, list[Any]] | None = None,
    resolved: Mapping[str, str] | None = None,
    file_digest: Callable[[str], str] | None = None,
) -> None:
    """Scaffold `feature_paths`. The features in `settled` (by resolved path) are known to need
    nothing (see redphase.cache): they are not read, and their records are replayed in path order.
    `index_memo` spares indexing the test files unchanged since it was left, and `file_digest`
    gives the digest of a file's bytes that the caller already knows (see index_project).
    """
    settled = settled or {}
    jobs = [job for job in _jobs(config, feature_paths, result, resolved) if str(job[0]) not in settled]
    staging = None if dry_run else Staging(config.root)
    try:
        _plan_render_write(config, jobs, result, staging, settled, index_memo, file_digest)
    finally:
        if staging is not None:
            staging.discard()


def _plan_render_write(
    config: Config,
    jobs: list[tuple[Path, str]],
    result: ScaffoldResult,
    staging: Staging | None,
    settled: Mapping[str, FeatureRecord],
    index_memo: dict[str, list[Any]] | None = None,
    file_digest: Callable[[str], str] | None = None,
) -> None:
    from redphase.plan.ahead import work_ahead

    # The parsing child starts first; the planning and rendering stages load while it works.
    planner: Planner | None = None

    def receive(worked: object, file: object) -> None:
        assert planner is not None  # nothing arrives before the first feature is asked for
        planner.take(worked, file)

    with contextlib.closing(read_in_order(jobs, work_ahead(config), receive)) as stream:
        from redphase.plan.planner import Planner
        from redphase.project.index import index_project

        index = index_project(config.tests, config.bdd_features_base_dir, index_memo, file_digest)
        planner = Planner(config, index)
        context = planner.context()
        output = _Output(config, staging)
        parse_diagnostics: list[Diagnostic] = []
        progress = Progress("scaffold", len(jobs), "features")
        # Each feature is planned and rendered while later ones are still being parsed.
        for parsed in stream:
            progress.advance()
            if isinstance(parsed, list):
                parse_diagnostics += parsed
                continue
            feature = planner.add(parsed)
            if feature is not None:
                output.add(_feature_files(feature, context, index))
        progress.close()
    plan = planner.finish()
    output.add(_harness_files(plan, index, config, bool(settled)))
    result.changes = output.finish()
    result.diagnostics += output.warnings()
    # Files were staged as soon as their text was final; only a run that rendered everything
    # puts them in place.
    if staging is not None:
        staging.commit([change.path for change in result.pending])
    result.diagnostics += parse_diagnostics + list(plan.diagnostics)
    run_level = {d.path for d in parse_diagnostics} | {d.path for d in plan.diagnostics}
    planned = [
        FeatureRecord(
            str(feature.source),
            len(feature.scenarios),
            feature.diagnostics,
            feature.runnable_copy is None and feature.display not in run_level,
        )
        for feature in plan.features
    ]
    result.records = sorted([*planned, *settled.values()], key=lambda record: record.path)
    for record in result.records:
        result.diagnostics += list(record.diagnostics)
    result.features = len(result.records)
    result.scenarios = sum(record.scenarios for record in result.records)


def plan_for(config: Config, feature_paths: Sequence[Path]) -> tuple[HarnessPlan | None, list[Diagnostic]]:
    result = ScaffoldResult()
    files = []
    with contextlib.closing(read_in_order(_jobs(config, feature_paths, result))) as stream:
        for parsed in stream:
            if isinstance(parsed, list):
                result.diagnostics += parsed
            else:
                files.append(parsed)
    if result.has_errors:
        return None, result.diagnostics
    from redphase.plan.planner import plan_features
    from redphase.project.index import index_project

    index = index_project(config.tests, config.bdd_features_base_dir)
    plan = plan_features(files, config, index)
    return plan, result.diagnostics + list(plan.diagnostics) + [
        d for f in plan.features for d in f.diagnostics
    ]


def _jobs(
    config: Config, paths: Sequence[Path], result: ScaffoldResult, known: Mapping[str, str] | None = None
) -> list[tuple[Path, str]]:
    """(resolved path, path as shown) of every feature to read, in the order they are planned.
    `known` holds paths the caller has already resolved inside the project (as given → resolved)."""
    guard = PathGuard(config.root)
    jobs = []
    for path in paths:
        try:
            already = known.get(os.fspath(path)) if known else None
            resolved = Path(already) if already is not None else guard.inside(path.absolute())
        except OutsideProject as error:
            shown = layout.display(path.absolute(), config.root)
            result.diagnostics.append(
                Diagnostic(shown, 1, 1, f"refused: {error}", fix="scaffold features inside the project")
            )
            continue
        jobs.append((resolved, layout.display(resolved, config.root)))
    return sorted(jobs, key=lambda job: str(job[0]))


@frozen
class _Python:
    """Rendered Python; `base` is the file's text as read, which the new text is appended to; None
    for a new file."""

    base: str | None
    rendered: renderer.Python

    def joined(self, source: str) -> str:
        return source if self.base is None else appended(self.base, source)


class _Output:
    """Every file's change, worked out as soon as its text is final; inexact Python waits for black."""

    def __init__(self, config: Config, staging: Staging | None = None) -> None:
        from redphase.render.formatting import hand_layout_holds

        self.guard = PathGuard(config.root)
        self.staging = staging
        self.config = config
        # Exact text is final at once only where the hand layout is the project's formatter's.
        self.trust_exact = hand_layout_holds(config.formatting)
        self.changes: dict[Path, Change] = {}
        self.inexact: list[tuple[Path, _Python]] = []

    def add(self, texts: dict[Path, str | _Python]) -> None:
        for path, text in texts.items():
            if isinstance(text, str):
                self._final(path, text, read_text(path))
            elif text.rendered.exact and self.trust_exact:
                self._final(path, text.joined(text.rendered.source), text.base)
            else:
                self.inexact.append((path, text))

    def finish(self) -> list[Change]:
        from redphase.render.formatting import formatted

        sources = formatted(
            [text.rendered for _, text in self.inexact], self.config.formatting, self.config.root
        )
        for (path, text), source in zip(self.inexact, sources, strict=True):
            self._final(path, text.joined(source), text.base)
        return [self.changes[path] for path in sorted(self.changes)]

    def warnings(self) -> list[Diagnostic]:
        from redphase.diagnostics import Severity
        from redphase.render.formatting import formatter_warning

        warning = formatter_warning(self.config.formatting) if self.inexact else None
        return [Diagnostic("pyproject.toml", 1, 1, warning, Severity.WARNING)] if warning else []

    def _final(self, path: Path, text: str, old: str | None) -> None:
        """`old`: the file's text as read when its new text was made (None: no file)."""
        change = plan_change(self.guard.inside(path), text, old)
        self.changes[path] = change
        if self.staging is not None and change.action != "identical":
            self.staging.stage(change.path, change.new)


def _feature_files(feature: FeaturePlan, plan: HarnessPlan, index: ProjectIndex) -> dict[Path, str | _Python]:
    from redphase.render import renderer

    texts: dict[Path, str | _Python] = {}
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
            texts[feature.module] = _Python(
                existing, renderer.scenarios_chunk(feature, names, constants, plan.line_length)
            )
    if feature.definitions:
        existing = read_text(feature.steps_module)
        if existing is None:
            texts[feature.steps_module] = _Python(None, renderer.steps_module(feature, plan))
        else:
            module = index.modules.get(feature.steps_module)
            names = set(module.names) if module else set()
            texts[feature.steps_module] = _Python(
                existing,
                renderer.steps_chunk(feature.definitions, names, plan.harness_module, plan.line_length),
            )
    return texts


def _harness_files(
    plan: HarnessPlan, index: ProjectIndex, config: Config, settled: bool = False
) -> dict[Path, str | _Python]:
    from redphase.render import renderer

    texts: dict[Path, str | _Python] = {}
    if not plan.features and not settled:
        return texts
    conftest = layout.conftest(config)
    existing = read_text(conftest)
    conftest_names = index.modules[conftest].names if conftest in index.modules else set()
    with_harness = "system" not in index.fixtures
    with_plumbing = "_load_step_modules" not in conftest_names
    if existing is None:
        texts[conftest] = _Python(
            None,
            renderer.conftest(
                with_harness,
                with_plumbing,
                standalone=True,
                assembly=plan.assembly,
                line_length=plan.line_length,
            ),
        )
    elif with_harness or with_plumbing:
        chunk = renderer.conftest(
            with_harness,
            with_plumbing,
            standalone=False,
            present=conftest_names,
            assembly=plan.assembly,
            line_length=plan.line_length,
        )
        texts[conftest] = _Python(existing, chunk)
    # Health checks call the generated harness; a project with its own `system` owns its checks too.
    health = layout.health_module(config)
    if with_harness and health not in index.modules:
        # Not indexed, so not there when the run began (no feature's module takes its name, see
        # Planner); a file written there meanwhile is added to, not replaced.
        texts[health] = _Python(
            read_text(health), renderer.health_module(plan.harness_module or "conftest", plan.line_length)
        )
    markers = layout.markers_file(config)
    old_markers = (read_text(markers) or "").splitlines()
    texts[markers] = renderer.markers(plan, [line for line in old_markers if line.strip()])
    return texts
