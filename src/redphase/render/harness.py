"""The generated harness's assembly of the system under test, from discover.assembly's findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from redphase.discover.assembly import Assembly, FakeMethod, FakePort, Unassembled
from redphase.frozen import frozen
from redphase.render.literals import docstring, prose_lines

INTRO = "The system under test for one scenario, on isolated infrastructure."


@frozen
class _FakeView:
    class_name: str
    port_name: str
    doc: str
    methods: tuple[str, ...]


@dataclass
class HarnessParts:
    doc: str
    lines: list[str] = field(default_factory=list)
    fakes: list[_FakeView] = field(default_factory=list)
    # (module, name) imported from the application, and from third parties
    application: set[tuple[str, str]] = field(default_factory=set)
    third_party: set[tuple[str, str]] = field(default_factory=set)


def harness_parts(assembly: Assembly | Unassembled | None) -> HarnessParts:
    if assembly is None or isinstance(assembly, Unassembled):
        why = assembly.reason if assembly is not None else "nothing was discovered"
        doc = _wrapped(
            f"Not assembled by redphase: {why}. Build the application here as `self.app`, with"
            " fakes for external services, and scaffold wires new steps to it."
        )
        return HarnessParts(docstring(f"{INTRO}\n\n{doc}", "    "))
    parts = HarnessParts("")
    for fake in assembly.fakes:
        parts.fakes.append(_fake_view(fake))
        parts.lines.append(f"self.{fake.attribute} = {fake.class_name}()")
        module, _, name = fake.port.rpartition(".")
        parts.application.add((module, name))
    parts.application.add((assembly.module, assembly.name))
    built = assembly.name
    if assembly.call:
        built += "(" + ", ".join(f"{a.name}={a.expression}" for a in assembly.arguments) + ")"
    annotation = ""
    if assembly.app_type:
        module, _, name = assembly.app_type.rpartition(".")
        parts.application.add((module, name))
        annotation = f": {name}"
    parts.lines.append(f"self.app{annotation} = {built}")
    if assembly.client == "starlette":
        parts.third_party.add(("starlette.testclient", "TestClient"))
        parts.lines.append("self.client = TestClient(self.app)")
    elif assembly.client == "flask":
        parts.lines.append("self.client = self.app.test_client()")
    described = [_wrapped(f"- {a.name}: {a.why}.") for a in assembly.arguments]
    doc = "\n".join(
        [
            INTRO,
            "",
            _wrapped(
                f"Assembled by redphase from {assembly.target} ({assembly.location}; {assembly.reason})"
                + (":" if described else ".")
            ),
            *described,
            "It is yours: check what is real and what is faked.",
        ]
    )
    parts.doc = docstring(doc, "    ")
    return parts


def _wrapped(text: str) -> str:
    return "\n".join(prose_lines(text))


def _fake_view(fake: FakePort) -> _FakeView:
    name = fake.port.rpartition(".")[2]
    doc = docstring(
        f"A fake of {fake.port} ({fake.location}): the tests never reach the real service.", "    "
    )
    return _FakeView(fake.class_name, name, doc, tuple(_method(method) for method in fake.methods))


def _method(method: FakeMethod) -> str:
    params = "".join(f", {param}: Any" for param in method.params)
    recorded = ", ".join(f'"{param}": {param}' for param in method.params)
    lines = [
        f"    def {method.name}(self{params}) -> {method.returns}:",
        f'        self.calls.append(("{method.name}", {{{recorded}}}))',
    ]
    if method.value:
        lines.append(f"        return {method.value}")
    return "\n".join(lines)


def import_lines(pairs: set[tuple[str, str]]) -> list[str]:
    by_module: dict[str, set[str]] = {}
    for module, name in pairs:
        by_module.setdefault(module, set()).add(name)
    return [
        f"from {module} import {', '.join(sorted(names, key=lambda n: (not n[:1].isupper(), n)))}"
        for module, names in sorted(by_module.items())
    ]
