"""The composition root: the one place where the real parts are put together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .persistence import Store
from .ports import Mailer
from .services import RegistrationService


@dataclass
class System:
    store: Store
    mailer: Mailer
    registration: RegistrationService


def create_system(database: Path | str, mailer: Mailer) -> System:
    store = Store(database)
    registration = RegistrationService(store, mailer)
    return System(store=store, mailer=mailer, registration=registration)
