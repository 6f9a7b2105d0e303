"""What counts as application code, and whether any of it ran while the steps ran.

Fixture setup does not count: the watch is switched on only around each step call. Python 3.12+
uses `sys.monitoring` (code that is not the application's is switched off after its first call, so
the cost stays near zero); 3.11 uses a profile hook that looks only at call events.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from types import CodeType, FrameType
from typing import Any


def application_roots(
    rootdir: Path, configured: Iterable[str] = (), tests_dir: str = "tests"
) -> tuple[str, ...]:
    """Folders whose code is the application: `[tool.redphase] app`, else `src/` packages, else
    the top-level packages outside the tests folder."""
    names = list(configured) or _configured_app(rootdir)
    roots: list[Path] = []
    if names:
        for name in names:
            for base in (rootdir / "src", rootdir):
                candidate = base / name.replace(".", "/")
                if candidate.is_dir() or candidate.with_suffix(".py").is_file():
                    roots.append(candidate if candidate.is_dir() else candidate.with_suffix(".py"))
                    break
            else:
                roots += _installed_location(name)
    elif (rootdir / "src").is_dir():
        roots = [p for p in sorted((rootdir / "src").iterdir()) if _is_package(p)]
    else:
        skip = {tests_dir, "test", "tests", "features", "docs", "benchmarks", "examples", "build", "dist"}
        roots = [p for p in sorted(rootdir.iterdir()) if _is_package(p) and p.name not in skip]
    return tuple(sorted({str(root.resolve()) for root in roots}))


def _configured_app(rootdir: Path) -> list[str]:
    try:
        data = tomllib.loads((rootdir / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    value = data.get("tool", {}).get("redphase", {}).get("app", [])
    return [value] if isinstance(value, str) else [str(item) for item in value if isinstance(item, str)]


def _installed_location(name: str) -> list[Path]:
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    if spec is None or spec.origin is None:
        return []
    origin = Path(spec.origin)
    return [origin.parent if origin.name == "__init__.py" else origin]


def _is_package(path: Path) -> bool:
    if path.name.startswith((".", "_")):
        return False
    if path.is_dir():
        return (path / "__init__.py").is_file() and not path.name.startswith("test")
    # Test modules and conftest at the top level are test code, not the application.
    is_test = path.stem == "conftest" or path.stem.startswith("test_") or path.stem.endswith("_test")
    return path.suffix == ".py" and not is_test and path.stem not in ("setup", "noxfile", "tasks")


class AppCodeWatch:
    """Switched on around each step; `ran` says whether application code was called meanwhile."""

    def __init__(self, roots: tuple[str, ...]) -> None:
        self.roots = tuple(root if root.endswith(".py") else root + os.sep for root in roots)
        self.ran = False
        self._active = False
        self._cache: dict[str, bool] = {}
        self._monitoring = sys.version_info >= (3, 12) and bool(self.roots)
        self._tool: int | None = None

    def is_app_file(self, filename: str) -> bool:
        cached = self._cache.get(filename)
        if cached is None:
            cached = filename.startswith(self.roots) or os.path.abspath(filename).startswith(self.roots)
            self._cache[filename] = cached
        return cached

    def start(self) -> None:
        if not self.roots:
            return
        self._active = True
        if self._monitoring:
            self._start_monitoring()
        else:
            sys.setprofile(self._profile)

    def stop(self) -> None:
        if not self._active:
            return
        self._active = False
        if self._monitoring:
            self._stop_monitoring()
        else:
            sys.setprofile(None)

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and not self.ran and self.is_app_file(frame.f_code.co_filename):
            self.ran = True

    def _start_monitoring(self) -> None:
        monitoring: Any = getattr(sys, "monitoring")  # noqa: B009 - absent on 3.11, where this is never called
        if self._tool is None:
            # 0, 1 and 2 are claimed by debuggers, coverage and profilers; 3 and 4 have no owner.
            for tool in (4, 3, 5):
                if monitoring.get_tool(tool) is None:
                    monitoring.use_tool_id(tool, "redphase")
                    self._tool = tool
                    break
            else:
                self._monitoring = False
                sys.setprofile(self._profile)
                return
            monitoring.register_callback(self._tool, monitoring.events.PY_START, self._on_start)
        monitoring.restart_events()
        monitoring.set_events(self._tool, monitoring.events.PY_START)

    def _stop_monitoring(self) -> None:
        monitoring: Any = getattr(sys, "monitoring")  # noqa: B009
        if self._tool is not None:
            monitoring.set_events(self._tool, 0)

    def _on_start(self, code: CodeType, offset: int) -> Any:
        if self.is_app_file(code.co_filename):
            self.ran = True
        return getattr(sys, "monitoring").DISABLE  # noqa: B009

    def close(self) -> None:
        self.stop()
        if self._monitoring and self._tool is not None:
            monitoring: Any = getattr(sys, "monitoring")  # noqa: B009
            monitoring.register_callback(self._tool, monitoring.events.PY_START, None)
            monitoring.free_tool_id(self._tool)
            self._tool = None
