"""The pytest plugin behind `pytest --redphase` and `redphase verify`."""

from __future__ import annotations
