"""What the business talks about."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    email: str
    name: str


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class AuditEvent:
    name: str
    subject: str


class AlreadyRegistered(Exception):
    pass
