"""`redphase scaffold`: parse → plan → render → write, for every feature given.

This module stays light: an unchanged project is answered from the run cache before any of the
pipeline (gherkin, the planner, jinja2, black) is imported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from redphase.config import Config
from redphase.diagnostics import Diagnostic, UsageError
from redphase.discovery import find_features
from redphase.outcome import FeatureRecord, ScaffoldResult

if TYPE_CHECKING:
    from redphase.cache import CachedRun, FileDigests
    from redphase.plan.model import HarnessPlan


def scaffold(
    config: Config,
    paths: Sequence[Path],
    *,
    dry_run: bool = False,
    use_cache: bool = True,
    digests: FileDigests | None = None,
) -> ScaffoldResult:
    """Scaffold every feature under `paths`; with `dry_run`, work out the changes but write nothing.

    `digests`: the file digests of this run, when a look at the run cache has taken some already."""
    from redphase import cache

    result = ScaffoldResult()
    feature_paths = _feature_paths(config, paths)
    # A first run has nothing to compare with: no need to hash the project before it.
    if digests is None:
        digests = cache.FileDigests(str(config.root))
    hashing = use_cache and cache.exists(config)
    parts = cache.fingerprint_parts(config, feature_paths, digests) if hashing else None
    key = cache.combined(*parts) if parts else ""
    cached = cache.load(config, key) if key else None
    if cached is not None:
        return _replayed(cached)
    from redphase.pipeline import run as run_pipeline

    # Each feature path as the pipeline resolves it, worked out once for the cache's two looks.
    resolved = _resolved(config, feature_paths) if parts or (use_cache and not dry_run) else {}
    settled = _settled(config, resolved, parts) if parts else {}
    memo = cache.load_index(config) if parts else None
    run_pipeline(
        config,
        feature_paths,
        result,
        dry_run=dry_run,
        settled=settled,
        index_memo=memo.files if memo is not None else None,
        resolved=resolved,
        file_digest=lambda path: digests.of(path).hex(),
    )
    # --check and --diff promise to write nothing, the cache included.
    if use_cache and not dry_run and not result.has_errors:
        run = cache.CachedRun(result.features, result.scenarios, [d.render() for d in result.diagnostics])
        # Nothing written means the tree is as it was hashed: no need to read it all again.
        # Only the files this run wrote are read again.
        for change in result.pending:
            digests.forget(os.fspath(change.path))
        after = (
            parts if parts and not result.pending else cache.fingerprint_parts(config, feature_paths, digests)
        )
        settling = _settling(resolved, after[1], result)
        cache.store(config, cache.combined(*after), run, after[0], settling)
        (memo if memo is not None else cache.IndexMemo.empty()).store(config)
        digests.save()
    return result


def _resolved(config: Config, feature_paths: Sequence[Path]) -> dict[str, str]:
    """Each feature path as given → as the pipeline resolves it; those outside the project are left out."""
    from redphase.write.files import OutsideProject, PathGuard

    guard = PathGuard(config.root)
    resolved = {}
    for path in feature_paths:
        try:
            resolved[os.fspath(path)] = str(guard.inside(path.absolute()))
        except OutsideProject:
            continue
    return resolved


def _settled(
    config: Config, resolved: dict[str, str], parts: tuple[str, dict[str, str]]
) -> dict[str, FeatureRecord]:
    """The features a full run would plan, render and write nothing for (see redphase.cache)."""
    from redphase import cache

    recorded = cache.settled_features(config, parts[0])
    if not recorded:
        return {}
    settled = {}
    for given, path in resolved.items():
        record = recorded.get(path)
        if record is not None and record[0] == parts[1].get(given):
            try:
                diagnostics = tuple(_diagnostic(fields) for fields in record[2])
            except (TypeError, ValueError):  # a cache written by hand, or damaged: plan it
                continue
            settled[path] = FeatureRecord(path, record[1], diagnostics)
    return settled


def _settling(
    resolved: dict[str, str], digests: dict[str, str], result: ScaffoldResult
) -> dict[str, tuple[str, int, list[list[object]]]]:
    """What the cache keeps of each feature this run leaves complete: its digest, scenarios and diagnostics."""
    by_path = {record.path: record for record in result.records if record.settles}
    settling: dict[str, tuple[str, int, list[list[object]]]] = {}
    for given, path in resolved.items():
        record = by_path.get(path)
        if record is not None and given in digests:
            diagnostics: list[list[object]] = [
                [d.path, d.line, d.column, d.message, d.severity.value, d.fix] for d in record.diagnostics
            ]
            settling[path] = (digests[given], record.scenarios, diagnostics)
    return settling


def _diagnostic(fields: list[object]) -> Diagnostic:
    from redphase.diagnostics import Severity

    path, line, column, message, severity, fix = fields
    return Diagnostic(str(path), int(str(line)), int(str(column)), str(message), Severity(severity), str(fix))


def _feature_paths(config: Config, paths: Sequence[Path]) -> list[Path]:
    if not paths and not config.features.is_dir():
        raise UsageError(
            f"no features folder at {config.features}: pass .feature files or folders, "
            "or set [tool.redphase] features in pyproject.toml"
        )
    return find_features(paths or [config.features])


def _replayed(cached: CachedRun) -> ScaffoldResult:
    return ScaffoldResult(
        replayed=cached.diagnostics, features=cached.features, scenarios=cached.scenarios, from_cache=True
    )


def plan_only(config: Config, path: Path) -> tuple[HarnessPlan | None, list[Diagnostic]]:
    from redphase.pipeline import plan_for
    from redphase.plan.wiring import with_discovery

    plan, diagnostics = plan_for(config, find_features([path]))
    return (with_discovery(plan, config) if plan is not None else None), diagnostics
