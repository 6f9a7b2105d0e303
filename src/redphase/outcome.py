"""What a scaffold run found and changed. Light at import: a cached answer is one of these too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from redphase.frozen import frozen

if TYPE_CHECKING:
    from redphase.diagnostics import Diagnostic
    from redphase.write.files import Change


@frozen
class FeatureRecord:
    """One feature of a run, as the run cache keeps it: a feature a later run may leave settled."""

    path: str  # resolved
    scenarios: int
    diagnostics: tuple[Diagnostic, ...]
    # Nothing but the feature's own modules depends on it: no runnable copy, no run-level diagnostics.
    settles: bool = True


@dataclass
class ScaffoldResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Diagnostics of an unchanged project, replayed from the cache as text.
    replayed: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    features: int = 0
    scenarios: int = 0
    from_cache: bool = False
    # Every feature planned or settled, in path order.
    records: list[FeatureRecord] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(diagnostic.is_error for diagnostic in self.diagnostics)

    @property
    def pending(self) -> list[Change]:
        return [change for change in self.changes if change.action != "identical"]
