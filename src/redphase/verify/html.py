"""The HTML report (placeholder until rendered from templates/report)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redphase.verify.classify import ScenarioRecord


def render(
    results: list[dict[str, Any]], records: dict[str, ScenarioRecord], rootdir: Path, allow: bool
) -> str:
    return ""
