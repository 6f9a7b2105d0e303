"""Health checks: the harness assembles, its isolated infrastructure answers.

These must pass. Created by `redphase scaffold`; yours to extend as you wire
real components into the harness.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Harness

pytestmark = pytest.mark.health_check


def test_system_assembles(system: Harness) -> None:
    assert system is not None
    assert system.unwired == [], "assembling the system must not need any unwired step"


def test_isolated_storage_answers(system: Harness) -> None:
    assert system.healthy() is True
