"""How the generated harness assembles the system, read statically from the composition root."""

from __future__ import annotations

import textwrap
from pathlib import Path

from redphase.config import load_config
from redphase.discover.assembly import Assembly, Unassembled, assemble
from redphase.discover.scan import discover


def _assembly(root: Path, files: dict[str, str], system: str = "") -> Assembly | Unassembled:
    section = f'\n[tool.redphase]\nsystem = "{system}"\n' if system else ""
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "0"\n{section}', encoding="utf-8"
    )
    for name, text in files.items():
        path = root / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    config = load_config(root)
    return assemble(discover(config), config)


PORTS = """\
    from abc import ABC, abstractmethod
    from typing import Protocol


    class Mailer(Protocol):
        def send(self, to: str, body: str) -> None: ...
        def reachable(self) -> bool: ...


    class Payments(ABC):
        @abstractmethod
        def charge(self, cents: int) -> list[str]: ...
"""


def test_paths_become_files_in_the_test_folder_and_ports_become_fakes(tmp_path: Path) -> None:
    found = _assembly(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/ports.py": PORTS,
            "shop/system.py": """\
                from pathlib import Path

                from .ports import Mailer, Payments


                class System:
                    def __init__(self, mailer: Mailer) -> None:
                        self.mailer = mailer


                def create_system(
                    database: Path, mailer: Mailer, payments: Payments, url: str, debug: bool = False
                ) -> System:
                    return System(mailer)
            """,
        },
        system="shop.system:create_system",
    )
    assert isinstance(found, Assembly)
    assert found.target == "shop.system.create_system"
    assert found.app_type == "shop.system.System"
    arguments = {argument.name: argument.expression for argument in found.arguments}
    assert arguments == {
        "database": 'workdir / "database"',
        "mailer": "self.mailer",
        "payments": "self.payments",
        "url": "f\"sqlite:///{workdir / 'url'}.sqlite3\"",
    }
    fakes = {fake.attribute: fake for fake in found.fakes}
    assert fakes["mailer"].port == "shop.ports.Mailer"
    assert [(m.name, m.params, m.returns, m.value) for m in fakes["mailer"].methods] == [
        ("send", ("to", "body"), "None", ""),
        ("reachable", (), "bool", "True"),
    ]
    assert [(m.name, m.returns, m.value) for m in fakes["payments"].methods] == [
        ("charge", "list[Any]", "[]")
    ]


def test_a_parameter_nothing_fits_leaves_the_system_unassembled_and_says_which(tmp_path: Path) -> None:
    found = _assembly(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/system.py": """\
                class Engine:
                    pass


                def create_system(engine: Engine):
                    return engine
            """,
        },
        system="shop.system:create_system",
    )
    assert isinstance(found, Unassembled)
    assert "create_system(engine=...)" in found.reason
    assert "Engine" in found.reason


def test_a_web_application_object_is_driven_through_its_test_client(tmp_path: Path) -> None:
    found = _assembly(
        tmp_path,
        {
            "api/__init__.py": "",
            "api/main.py": """\
                from fastapi import FastAPI

                app = FastAPI()


                @app.get("/items")
                def items() -> list[str]:
                    return []
            """,
        },
    )
    assert isinstance(found, Assembly)
    assert (found.target, found.call, found.client) == ("api.main.app", False, "starlette")


def test_without_an_entry_point_nothing_is_assembled(tmp_path: Path) -> None:
    found = _assembly(tmp_path, {"lib/__init__.py": "def helper(x: int) -> int:\n    return x\n"})
    assert isinstance(found, Unassembled)
