"""Problems found in the user's input, each pinned to `path:line:column`."""

from __future__ import annotations

import enum

from redphase.frozen import frozen


class Severity(enum.Enum):
    # An error stops the file from being written; a warning or note does not.
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@frozen
class Diagnostic:
    path: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR
    fix: str = ""

    def render(self) -> str:
        head = f"{self.path}:{self.line}:{self.column}: {self.severity.value}: {self.message}"
        return f"{head}\n    fix: {self.fix}" if self.fix else head

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class UsageError(Exception):
    """The command line or configuration cannot be acted on (exit code 2)."""


class InternalError(Exception):
    """redphase made something it must never make, such as code that does not parse (exit code 1).
    Nothing was written: the run stops before any file is put in place."""
