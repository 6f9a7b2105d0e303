"""`@frozen`, the decorator of the model's value classes: frozen to the type checker, plain at run time.

A frozen dataclass sets each field through `object.__setattr__`, which makes building one about
three times as slow as a plain dataclass. A cold scaffold builds about 150,000 of them (a location
for every tag and step, a use for every step, a view for every line it renders), and that was a
tenth of its time. `dataclass_transform(frozen_default=True)` tells mypy that these classes are
frozen, so an assignment to a field fails the type check as it would with `frozen=True`; at run
time they are dataclasses that compare and hash by value, exactly as frozen ones do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar, cast, dataclass_transform

_Class = TypeVar("_Class", bound=type)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(cls: _Class, /) -> _Class:
    return cast("_Class", dataclass(cls, unsafe_hash=True))
