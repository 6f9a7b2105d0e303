"""The edges of the system: each external service is reached through a port.

Production uses the real adapters in `adapters/`; tests use high-fidelity fakes of the same port.
"""

from __future__ import annotations

from typing import Protocol

from .domain import Message


class Mailer(Protocol):
    def send(self, message: Message) -> None: ...
