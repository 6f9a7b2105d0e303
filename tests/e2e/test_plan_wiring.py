"""`redphase plan`'s contract for discovery and wiring: entry points, components from the code, and
every step's `wiring` list, best first, in JSON and YAML alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import make_project, run_cli

FEATURE = """\
Feature: Orders
  Scenario: Placing an order
    Given no order "7" exists
    When the customer places order number "7" with amount 12
    Then order "7" can be found
    And the weather is lovely
"""

APP = {
    "src/shop/__init__.py": "",
    "src/shop/store.py": (
        "import sqlite3\n\n\nclass OrderRepository:\n"
        "    def add_order(self, order): ...\n"
        "    def find_order(self, number): ...\n"
        "    def remove_order(self, number): ...\n"
    ),
    "src/shop/services.py": (
        "class CheckoutService:\n"
        "    def __init__(self, orders):\n        self.orders = orders\n\n"
        "    def place_order(self, number, amount):\n        '''Place an order.'''\n"
    ),
    "src/shop/system.py": (
        "from .services import CheckoutService\nfrom .store import OrderRepository\n\n\n"
        "class System:\n    def __init__(self, orders, checkout):\n        self.orders = orders\n"
        "        self.checkout = checkout\n\n\n"
        "def create_system():\n    orders = OrderRepository()\n"
        "    return System(orders=orders, checkout=CheckoutService(orders))\n"
    ),
}


def _steps(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for f in plan["features"] for s in f["scenarios"] for step in s["steps"]]


def test_plan_json_carries_entry_points_components_and_wiring(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"orders.feature": FEATURE})
    for name, text in APP.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    result = run_cli("plan", "features/orders.feature", "--format", "json", cwd=root)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    system = plan["system_under_test"]
    assert system["entry_point"] == "shop.system.create_system"
    assert system["entry_points"][0]["kind"] == "composition-root"
    assert system["entry_points"][0]["at"] == "src/shop/system.py:11"
    database = next(c for c in plan["components"] if c["name"] == "database")
    assert (database["source"], database["treatment"], database["at"]) == (
        "code",
        "isolated",
        "src/shop/store.py:1",
    )
    steps = _steps(plan)
    for step in steps:
        assert isinstance(step["wiring"], list)
        confidences = [w["confidence"] for w in step["wiring"]]
        assert confidences == sorted(confidences, reverse=True)
        for wire in step["wiring"]:
            assert set(wire) >= {"target", "call", "confidence", "why"}
            assert 0 <= wire["confidence"] <= 1
    given, when, then, weather = steps
    assert given["wiring"][0]["target"] == "shop.store.OrderRepository.remove_order"
    assert given["wiring"][0]["call"] == "system.app.orders.remove_order(number=order)"
    assert when["wiring"][0]["target"] == "shop.services.CheckoutService.place_order"
    assert when["wiring"][0]["call"] == "system.app.checkout.place_order(number=number, amount=amount)"
    assert then["wiring"][0]["target"] == "shop.store.OrderRepository.find_order"
    assert weather["wiring"] == []
    yaml_result = run_cli("plan", "features/orders.feature", cwd=root)
    assert yaml.safe_load(yaml_result.stdout) == plan


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("w") / "shop"
    result = run_cli("init", str(root), "--no-input")
    assert result.exit_code == 0, result.output
    return root


def test_the_init_demo_ranks_the_calls_its_steps_need_first(demo: Path) -> None:
    result = run_cli("plan", "features/user_registration.feature", "--format", "json", cwd=demo)
    assert result.exit_code == 0, result.output
    best = {step["text"]: step["wiring"][0] for step in _steps(json.loads(result.stdout))}
    package = next(p.name for p in (demo / "src").iterdir() if (p / "services.py").is_file())
    register = best['a visitor registers with email "ada@example.com" and name "Ada Lovelace"']
    assert register["target"] == f"{package}.services.RegistrationService.register"
    assert register["call"] == "system.app.registration.register(email=email, name=name)"
    assert (
        best['no account exists for "ada@example.com"']["target"]
        == f"{package}.persistence.Store.remove_account"
    )
    assert (
        best['an account exists for "ada@example.com"']["target"]
        == f"{package}.persistence.Store.find_account"
    )
    audit = best['an audit event "user_registered" is recorded for "grace@example.com"']
    assert audit["target"] == f"{package}.persistence.Store.audit_events"
    # The welcome email is observed on the fake of the mailer port.
    assert best['a welcome email is sent to "ada@example.com"']["target"] == f"{package}.ports.Mailer.send"


def test_configuration_and_tags_override_what_the_code_says(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"orders.feature": "@real:email\n" + FEATURE})
    for name, text in APP.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "src/shop/mail.py").write_text("import smtplib\n", encoding="utf-8")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write('[tool.redphase.components.database]\ntreatment = "real"\n')
    result = run_cli("plan", "features/orders.feature", "--format", "json", cwd=root)
    assert result.exit_code == 0, result.output
    found = {c["name"]: c for c in json.loads(result.stdout)["components"]}
    assert (found["database"]["treatment"], found["database"]["source"]) == ("real", "override")
    assert found["database"]["at"] == "src/shop/store.py:1"
    assert found["database"]["reason"].startswith("[tool.redphase.components]")
