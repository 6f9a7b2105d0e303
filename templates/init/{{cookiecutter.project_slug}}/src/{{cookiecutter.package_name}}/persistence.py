"""Persistence on a real database: the standard library's sqlite3."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .domain import Account, AuditEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    email TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_events (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    subject TEXT NOT NULL
);
"""


class Store:
    def __init__(self, path: Path | str) -> None:
        self.connection = sqlite3.connect(str(path))
        self.connection.executescript(SCHEMA)

    def ping(self) -> bool:
        row: tuple[int] | None = self.connection.execute("SELECT 1").fetchone()
        return row == (1,)

    def add_account(self, account: Account) -> None:
        with self.connection:
            self.connection.execute(
                "INSERT INTO accounts (email, name) VALUES (?, ?)",
                (account.email, account.name),
            )

    def find_account(self, email: str) -> Account | None:
        row: tuple[str, str] | None = self.connection.execute(
            "SELECT email, name FROM accounts WHERE email = ?", (email,)
        ).fetchone()
        return Account(*row) if row else None

    def remove_account(self, email: str) -> None:
        with self.connection:
            self.connection.execute("DELETE FROM accounts WHERE email = ?", (email,))

    def record(self, event: AuditEvent) -> None:
        with self.connection:
            self.connection.execute(
                "INSERT INTO audit_events (name, subject) VALUES (?, ?)",
                (event.name, event.subject),
            )

    def audit_events(self, subject: str) -> list[AuditEvent]:
        rows: list[tuple[str, str]] = self.connection.execute(
            "SELECT name, subject FROM audit_events WHERE subject = ? ORDER BY id",
            (subject,),
        ).fetchall()
        return [AuditEvent(*row) for row in rows]

    def close(self) -> None:
        self.connection.close()
