"""The integration harness: the `system` fixture every step goes through.

Created by `redphase scaffold` because the project had no `system` fixture. It
is yours now, and redphase never rewrites it. `Harness` assembles the
application from what discovery found in its code, with fakes for external
services; scaffold wires each step it is sure of to a call through it. A step
not wired yet returns an `Unwired` placeholder, so its Then step fails by a
real comparison whose message names the missing wiring.
"""

import importlib
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any, TypeVar

import pytest

_HERE = Path(__file__).resolve().parent
T = TypeVar("T")
# The same rule redphase uses when it registers markers: pytest cannot
# register these characters.
_NOT_IN_MARKER = re.compile("[:()\\s,=]")
_RESERVED_MARKERS = ["parametrize"]


class Unwired:
    """The value of a step not yet wired to the application: equals nothing."""

    redphase_unwired = True

    def __init__(self, phase: str, step: str, touches: tuple[str, ...]) -> None:
        self.phase = phase
        self.step = step
        self.touches = touches

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<unwired {self.phase} step {self.step!r}>"


class Harness:
    """The system under test for one scenario, on isolated infrastructure.

    Not assembled by redphase: no composition root, web application or
    [tool.redphase] system was found. Build the application here as `self.app`,
    with fakes for external services, and scaffold wires new steps to it.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.unwired: list[Unwired] = []
        self._instances: dict[type, object] = {}

    def arrange(
        self, step: str, /, *, touches: tuple[str, ...] = (), **params: Any
    ) -> object:
        """Given: put the system into the state the step describes."""
        return self._unwired("arrange", step, touches)

    def act(
        self, step: str, /, *, touches: tuple[str, ...] = (), **params: Any
    ) -> object:
        """When: drive the system through its entry point."""
        return self._unwired("act", step, touches)

    def observe(
        self, step: str, /, *, touches: tuple[str, ...] = (), **params: Any
    ) -> object:
        """Then: read the outcome back from the system, not from the inputs."""
        return self._unwired("observe", step, touches)

    def instance(self, cls: type[T]) -> T:
        """The scenario's one instance of `cls`, made on first use."""
        if cls not in self._instances:
            self._instances[cls] = cls()
        made = self._instances[cls]
        assert isinstance(made, cls)
        return made

    def read(self, result: object, expected: object) -> object:
        """What `result`, read from the system, shows of `expected`.

        That is the value itself, the fields of a record that hold the expected
        values, or such a record in a collection; else `result` as it is, for
        the failure message. A yes from a yes-or-no query shows the expected
        values. While an earlier step of the scenario is still unwired, what
        the system shows is not that scenario's outcome: its placeholder is
        observed instead, which equals nothing.
        """
        if self.unwired:
            return self.unwired[0]
        if result == expected:
            return result
        if isinstance(result, bool):
            return expected if result else result
        wanted: dict[Any, object] = (
            expected if isinstance(expected, dict) else {"": expected}
        )
        records: list[object] = (
            list(result)
            if isinstance(result, list | tuple | set | frozenset)
            else [result]
        )
        for record in records:
            values = _values_of(record)
            found = {
                key: next((value for value in values if value == want), _MISSING)
                for key, want in wanted.items()
            }
            if all(value is not _MISSING for value in found.values()):
                return found if isinstance(expected, dict) else found[""]
        return result

    def mismatch(self, expected: object, observed: object) -> str:
        lines = [f"expected {expected!r}, observed {observed!r}"]
        if self.unwired:
            lines.append(f"missing wiring, in {Path(__file__).name} (Harness):")
            for placeholder in self.unwired:
                touches = ", ".join(placeholder.touches) or "the system"
                step = f"{placeholder.phase} {placeholder.step!r}"
                lines.append(f"  - {step} (touches {touches})")
        return "\n".join(lines)

    def healthy(self) -> bool:
        probe = self.workdir / "health-probe"
        probe.write_text("ok", encoding="utf-8")
        return probe.read_text(encoding="utf-8") == "ok"

    def _unwired(self, phase: str, step: str, touches: tuple[str, ...]) -> Unwired:
        placeholder = Unwired(phase, step, touches)
        self.unwired.append(placeholder)
        return placeholder


_MISSING = object()


def _values_of(record: object) -> list[object]:
    """The values a record read from the system holds.

    A mapping's, an object's public attributes', an HTTP response's JSON
    body's, or the record itself.
    """
    json = getattr(record, "json", None)
    if callable(json) and hasattr(record, "status_code"):
        try:
            record = json()
        except ValueError:
            return [getattr(record, "text", record)]
    if isinstance(record, dict):
        return [record, *record.values()]
    fields = getattr(record, "__dict__", None)
    if isinstance(fields, dict):
        return [record, *(v for k, v in fields.items() if not k.startswith("_"))]
    return [record]


@pytest.fixture
def system(tmp_path: Path) -> Harness:
    return Harness(tmp_path)


def pytest_configure(config: pytest.Config) -> None:
    markers = _HERE / "_redphase" / "markers.txt"
    if markers.is_file():
        for line in markers.read_text(encoding="utf-8").splitlines():
            if line.strip():
                config.addinivalue_line("markers", line)


def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    marker = _NOT_IN_MARKER.sub("_", tag)
    if marker.startswith("_") or not marker or marker in _RESERVED_MARKERS:
        marker = f"tag{marker}"
    if marker == tag:
        return None
    getattr(pytest.mark, marker)(function)
    return True


def _load_step_modules(namespace: dict[str, Any]) -> None:
    """Make every step module in step_defs/ visible to the tests below here."""
    package = __name__.rpartition(".")[0]
    for path in sorted((_HERE / "step_defs").glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = ".".join(filter(None, (package, "step_defs", path.stem)))
        try:
            pytest.register_assert_rewrite(name)
            module = importlib.import_module(name)
        except ImportError:
            # --import-mode=importlib puts nothing on sys.path: load the file.
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        namespace.update(
            {
                key: value
                for key, value in vars(module).items()
                if key.startswith("pytestbdd_")
            }
        )


_load_step_modules(globals())
