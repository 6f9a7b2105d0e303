"""Health checks: the real system assembles, its database answers, its fakes are reachable.

They must pass in the red phase: a red is only trustworthy on a harness that works.
"""

import pytest

from {{ cookiecutter.package_name }}.services import RegistrationService

pytestmark = pytest.mark.health_check


def test_the_system_assembles(app) -> None:
    assert isinstance(app.registration, RegistrationService)
    assert app.registration.mailer is app.mailer


def test_the_database_answers(app) -> None:
    assert app.store.ping() is True


def test_the_fake_mailer_is_reachable(outbox) -> None:
    assert outbox.reachable() is True
