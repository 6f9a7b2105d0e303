"""Health checks: the system assembles, its database answers, its fakes are reachable.

They must pass in the red phase: a red is only trustworthy on a harness that works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from {{ cookiecutter.package_name }}.services import (
    RegistrationService,
)
from {{ cookiecutter.package_name }}.system import (
    System,
)

if TYPE_CHECKING:
    from conftest import InMemoryOutbox

pytestmark = pytest.mark.health_check


def test_the_system_assembles(app: System) -> None:
    assert isinstance(app.registration, RegistrationService)
    assert app.registration.mailer is app.mailer


def test_the_database_answers(app: System) -> None:
    assert app.store.ping() is True


def test_the_fake_mailer_is_reachable(outbox: InMemoryOutbox) -> None:
    assert outbox.reachable() is True
