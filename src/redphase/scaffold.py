"""`redphase scaffold`: parse → plan → render → write, for every feature given.

This module stays light: an unchanged project is answered from the run cache before any of the
pipeline (gherkin, the planner, jinja2, black) is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from redphase.config import Config
from redphase.diagnostics import Diagnostic, UsageError
from redphase.discovery import find_features
from redphase.outcome import ScaffoldResult

if TYPE_CHECKING:
    from redphase.cache import CachedRun
    from redphase.plan.model import HarnessPlan


def scaffold(
    config: Config, paths: Sequence[Path], *, dry_run: bool = False, use_cache: bool = True
) -> ScaffoldResult:
    """Scaffold every feature under `paths`; with `dry_run`, work out the changes but write nothing."""
    from redphase import cache

    result = ScaffoldResult()
    feature_paths = _feature_paths(config, paths)
    # A first run has nothing to compare with: no need to hash the project before it.
    key = cache.fingerprint(config, feature_paths) if use_cache and cache.exists(config) else ""
    cached = cache.load(config, key) if key else None
    if cached is not None:
        return _replayed(cached)
    from redphase.pipeline import run as run_pipeline

    run_pipeline(config, feature_paths, result, dry_run=dry_run)
    # --check and --diff promise to write nothing, the cache included.
    if use_cache and not dry_run and not result.has_errors:
        run = cache.CachedRun(result.features, result.scenarios, [d.render() for d in result.diagnostics])
        # Nothing written means the tree is as it was hashed: no need to read it all again.
        after = cache.fingerprint(config, feature_paths) if result.pending or not key else key
        cache.store(config, after, run)
    return result


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
