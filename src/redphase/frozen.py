"""`@frozen`, the decorator of the model's value classes: frozen to the type checker, plain at run time.

A frozen dataclass sets each field through `object.__setattr__`, which makes building one 2.75
times as slow as a plain dataclass (0.44 against 0.16 us for three fields). A cold scaffold builds
about 150,000 of them (a location for every tag and step, a use for every step, a view for every
line it renders), and that was a tenth of its time. `dataclass_transform(frozen_default=True)`
tells mypy that these classes are frozen, so an assignment to a field fails the type check as it
would with `frozen=True`. At run time they are plain dataclasses that compare and hash by value
as frozen ones do, but nothing stops an assignment: only `mypy --strict` over src/redphase (in CI)
keeps them unchanged, so never change one in place (use `dataclasses.replace`), least of all one
that is a key in a dict or a set, or of an lru_cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar, cast, dataclass_transform

_Class = TypeVar("_Class", bound=type)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(cls: _Class, /) -> _Class:
    return cast("_Class", dataclass(cls, unsafe_hash=True))
