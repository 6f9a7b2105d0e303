"""The composition root: the one place where the real parts are put together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from {{ cookiecutter.package_name }}.persistence import Store
from {{ cookiecutter.package_name }}.ports import Mailer
from {{ cookiecutter.package_name }}.services import RegistrationService


@dataclass
class System:
    store: Store
    mailer: Mailer
    registration: RegistrationService


def create_system(database: Path | str, mailer: Mailer) -> System:
    store = Store(database)
    return System(store=store, mailer=mailer, registration=RegistrationService(store, mailer))
