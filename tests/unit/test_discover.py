"""Static discovery of the system under test, and the ranking of each step's wiring candidates."""

from __future__ import annotations

import textwrap
from pathlib import Path

from redphase.config import load_config
from redphase.discover.model import SystemModel
from redphase.discover.rank import rank, stem, step_words, words
from redphase.discover.scan import application_files, discover


def _project(root: Path, files: dict[str, str], pyproject: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0"\n' + pyproject, encoding="utf-8"
    )
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _discover(root: Path) -> SystemModel:
    return discover(load_config(root))


def _entries(model: SystemModel, kind: str) -> list[str]:
    return [entry.target for entry in model.entry_points if entry.kind == kind]


SHOP = {
    "src/shop/__init__.py": "",
    "src/shop/store.py": """
        import sqlite3

        class OrderRepository:
            def __init__(self, path):
                self.db = sqlite3.connect(path)

            def add_order(self, order):
                ...

            def find_order(self, number):
                '''The order with this number, or None.'''
                ...

            def remove_order(self, number):
                ...
    """,
    "src/shop/mail.py": """
        import smtplib

        class SmtpMailer:
            def send(self, to, subject):
                with smtplib.SMTP("localhost") as smtp:
                    smtp.sendmail("shop", to, subject)
    """,
    "src/shop/services.py": """
        from datetime import datetime

        class CheckoutService:
            def __init__(self, orders, mailer):
                self.orders = orders
                self.mailer = mailer

            def place_order(self, number, amount):
                '''Place an order and mail the confirmation.'''
                self.orders.add_order((number, amount, datetime.now()))
    """,
    "src/shop/system.py": """
        from dataclasses import dataclass

        from .mail import SmtpMailer
        from .services import CheckoutService
        from .store import OrderRepository

        @dataclass
        class System:
            orders: OrderRepository
            checkout: CheckoutService

        def assemble(path):
            orders = OrderRepository(path)
            checkout = CheckoutService(orders, SmtpMailer())
            return System(orders=orders, checkout=checkout)
    """,
}


def test_a_composition_root_is_found_by_what_it_does_and_exposes_the_graph(tmp_path: Path) -> None:
    model = _discover(_project(tmp_path, SHOP))
    roots = [e for e in model.entry_points if e.kind == "composition-root"]
    assert roots[0].target == "shop.system.assemble"
    assert "builds 4 project classes" in roots[0].reason
    assert roots[0].location == "src/shop/system.py:13"
    via = {c.target: c.via for c in model.callables}
    assert via["shop.services.CheckoutService.place_order"] == "system.app.checkout"
    assert via["shop.store.OrderRepository.find_order"] == "system.app.orders"
    # The root itself is not a step's call.
    assert "shop.system.assemble" not in via


def test_components_carry_the_line_that_decided_them(tmp_path: Path) -> None:
    model = _discover(_project(tmp_path, SHOP))
    found = {c.name: c for c in model.components}
    assert (found["database"].kind, found["database"].treatment) == ("database", "isolated")
    assert found["database"].location == "src/shop/store.py:2"
    assert (found["email"].kind, found["email"].treatment, found["email"].location) == (
        "external",
        "fake",
        "src/shop/mail.py:2",
    )
    assert (found["clock"].treatment, found["clock"].location) == ("fake", "src/shop/services.py:11")
    assert (found["checkout_service"].kind, found["checkout_service"].treatment) == ("own", "real")


def test_fastapi_routes_are_entry_points_with_their_handlers(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "api/__init__.py": "",
            "api/main.py": """
                from fastapi import FastAPI, APIRouter

                app = FastAPI()
                router = APIRouter()

                @app.post("/orders")
                def create_order(number: int):
                    '''Create an order.'''

                @router.get("/orders/{number}")
                async def read_order(number: int):
                    ...
            """,
        },
    )
    model = _discover(root)
    assert _entries(model, "web-app") == ["api.main.app"]
    routes = {c.target: c for c in model.callables if c.kind == "route"}
    assert set(routes) == {"POST /orders", "GET /orders/{number}"}
    assert routes["POST /orders"].handler == "api.main.create_order"
    assert routes["GET /orders/{number}"].params == ("number",)
    found = rank('an order "7" is created', "when", model.callables)
    assert found[0].callable.target == "POST /orders"


def test_flask_routes_with_methods(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "web/__init__.py": """
                from flask import Flask

                app = Flask(__name__)

                @app.route("/login", methods=["GET", "POST"])
                def login():
                    ...
            """
        },
    )
    model = _discover(root)
    assert _entries(model, "web-app") == ["web.app"]
    assert {c.target for c in model.callables if c.kind == "route"} == {"GET /login", "POST /login"}


def test_flask_restx_resource_classes_answer_below_their_namespace(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "api/health.py": """
                from flask_restx import Namespace, Resource

                api = Namespace("Health", path="/health")
                orders = Namespace("orders")

                @api.route("")
                class Health(Resource):
                    def get(self):
                        return {"status": "ok"}

                @orders.route("/<int:number>")
                class Order(Resource):
                    def get(self, number):
                        ...

                    def delete(self, number):
                        ...

                    def helper(self):
                        ...
            """
        },
    )
    routes = {c.target: c for c in _discover(root).callables if c.kind == "route"}
    assert set(routes) == {"GET /health", "GET /orders/<int:number>", "DELETE /orders/<int:number>"}
    assert routes["GET /health"].handler == "api.health.Health.get"
    assert routes["DELETE /orders/<int:number>"].params == ("number",)


def test_django_url_patterns_are_routes(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/views.py": "def create_order(request):\n    ...\n",
            "shop/urls.py": """
                from django.urls import include, path

                from . import views

                urlpatterns = [path("orders/", views.create_order), path("admin/", include("x"))]
            """,
        },
    )
    model = _discover(root)
    assert _entries(model, "web-app") == ["shop.urls.urlpatterns"]
    routes = {c.target: c.handler for c in model.callables if c.kind == "route"}
    assert routes == {"GET /orders/": "shop.views.create_order", "POST /orders/": "shop.views.create_order"}
    assert rank('an order "7" is created', "when", model.callables)[0].callable.target == "POST /orders/"


def test_click_commands_and_project_scripts(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "todo/__init__.py": "",
            "todo/cli.py": """
                import click

                @click.group()
                def cli():
                    ...

                @cli.command()
                @click.argument("title")
                def add(title):
                    '''Add a task.'''
            """,
        },
        pyproject='[project.scripts]\ntodo = "todo.cli:cli"\n',
    )
    model = _discover(root)
    assert _entries(model, "cli") == ["todo.cli.cli", "todo.cli.add", "todo.cli.cli"]
    commands = {c.target: c for c in model.callables if c.kind == "command"}
    assert set(commands) == {"todo.cli.cli", "todo.cli.add"}
    best = rank('I add the task "milk"', "when", model.callables)[0]
    assert best.callable.target == "todo.cli.add"


def test_a_library_offers_its_public_classes_and_functions(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "calc/__init__.py": "from .ops import add\n",
            "calc/ops.py": """
                def add(a, b):
                    return a + b

                def _private():
                    ...

                class Stack:
                    def push(self, item):
                        ...

                    def pop(self):
                        ...
            """,
        },
    )
    model = _discover(root)
    assert "calc.ops" in _entries(model, "library")
    targets = {c.target for c in model.callables}
    assert {"calc.ops.add", "calc.ops.Stack.push", "calc.ops.Stack.pop"} <= targets
    assert not any("_private" in t for t in targets)
    assert (
        rank("I push 5 onto the stack", "when", model.callables)[0].callable.target == "calc.ops.Stack.push"
    )


def test_a_property_with_a_setter_is_one_callable_and_the_setter_none(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "greet/hello.py": """
                class Greeter:
                    @property
                    def name(self):
                        return self._name

                    @name.setter
                    def name(self, value):
                        self._name = value

                    @name.deleter
                    def name(self):
                        del self._name

                    def greet(self):
                        ...
            """,
        },
    )
    methods = [c for c in _discover(root).callables if c.owner == "Greeter"]
    assert [(c.name, c.params, c.location) for c in methods] == [
        ("name", (), "greet/hello.py:4"),
        ("greet", (), "greet/hello.py:15"),
    ]


def test_test_code_and_environments_are_not_application_code(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/core.py": "def run():\n    ...\n",
            "app/test_core.py": "def test_run():\n    ...\n",
            "app/core_test.py": "",
            "app/conftest.py": "",
            "app/steps.py": "from pytest_bdd import given\n",
            "tests/helpers.py": "def helper():\n    ...\n",
            ".venv/lib/x.py": "",
            "venv/lib/site-packages/y.py": "",
            ".hidden/z.py": "",
        },
    )
    config = load_config(root)
    files = {path.relative_to(root).as_posix() for path in application_files(config)}
    assert files == {"app/__init__.py", "app/core.py", "app/steps.py"}
    # A module that imports pytest_bdd is test code, found by what it does.
    assert {c.target for c in discover(config).callables} == {"app.core.run"}


def test_the_configured_app_and_system_come_first(tmp_path: Path) -> None:
    files = dict(SHOP)
    files["tools/gen.py"] = "def generate():\n    ...\n"
    root = _project(
        tmp_path, files, pyproject='[tool.redphase]\napp = ["shop"]\nsystem = "shop.system:assemble"\n'
    )
    model = _discover(root)
    assert model.entry_points[0].kind == "configured"
    assert model.entry_points[0].target == "shop.system:assemble"
    via = {c.target: c.via for c in model.callables}
    assert via["shop.services.CheckoutService.place_order"] == "system.app.checkout"
    assert not any(c.module.startswith("tools") for c in model.callables)


def test_ranking_follows_the_phase(tmp_path: Path) -> None:
    model = _discover(_project(tmp_path, SHOP))
    given = rank('no order "7" exists', "given", model.callables)
    when = rank('the customer places order "7" for 12 euros', "when", model.callables)
    then = rank('order "7" can be found', "then", model.callables)
    assert given[0].callable.target == "shop.store.OrderRepository.remove_order"
    assert when[0].callable.target == "shop.services.CheckoutService.place_order"
    assert then[0].callable.target == "shop.store.OrderRepository.find_order"
    for candidates in (given, when, then):
        confidences = [c.confidence for c in candidates]
        assert confidences == sorted(confidences, reverse=True)
        assert all(0 <= c <= 1 for c in confidences)
        assert all(c.why for c in candidates)
    assert rank("the weather is lovely", "then", model.callables) == []


def test_words_and_stems() -> None:
    assert words("getAccountBalance") == ["get", "account", "balance"]
    assert words("remove_account") == ["remove", "account"]
    assert stem("declines") == stem("decline") == stem("declined")
    assert stem("running") == "run"
    assert stem("accounts") == "account"
    assert step_words('a visitor registers with email "ada@example.com" and <name>') == ["registers", "email"]


def test_arguments_are_bound_by_the_words_next_to_each_parameter() -> None:
    from redphase.discover.model import Callable
    from redphase.discover.rank import call_expression

    register = Callable(
        "shop.services.Registration.register",
        "method",
        "register",
        "Registration",
        "shop.services",
        ("name", "email"),
        "",
        "src/shop/services.py:3",
        via="system.app.registration",
    )
    params = [("text", "string"), ("text2", "string")]
    assert (
        call_expression(register, params, "a visitor registers with email {string} and name {string}")
        == "system.app.registration.register(name=text2, email=text)"
    )
    # Without a word to go by, the parameters go in order.
    assert call_expression(register, params, "{string} joins as {string}") == (
        "system.app.registration.register(name=text, email=text2)"
    )
    route = Callable("POST /orders", "route", "create", "", "api", (), "", "api.py:1", handler="api.create")
    assert call_expression(route, [("number", "int")], "order {int} is placed") == (
        "system.client.post('/orders', json={'number': number})"
    )


def test_a_harness_that_imports_the_factory_under_another_name_uses_it() -> None:
    from redphase.plan.wire import _used_names

    names = _used_names("from shop.system import make_shelf as build\n\n\ndef f():\n    return build()\n")
    assert {"make_shelf", "build"} <= names
    assert "make_shelf" not in _used_names('"""Not assembled: shop.system.make_shelf(conf=...)."""\n')


GAME = {
    "src/wordgame/__init__.py": "",
    "src/wordgame/game.py": """
        from functools import cached_property

        import click


        class Game:
            def __init__(self):
                self._guesses = []

            def guess(self, word: str) -> None:
                self._guesses.append(word)

            @property
            def guesses(self) -> list[str]:
                return list(self._guesses)

            @cached_property
            def round(self) -> int:
                return 1


        @click.group()
        def cli():
            pass


        @cli.command()
        def play():
            pass


        def score(word: str) -> int:
            return len(word)
    """,
    # A command of a group imported from elsewhere, as plugins and split CLIs register them.
    "src/wordgame/commands.py": """
        from wordgame.game import cli


        @cli.command()
        def reset():
            pass
    """,
}


def test_a_property_is_read_and_never_offered_to_a_when_step(tmp_path: Path) -> None:
    from redphase.plan.wiring import candidates

    model = _discover(_project(tmp_path, GAME))
    by_name = {item.name: item for item in model.callables}
    assert by_name["guesses"].reads
    assert by_name["round"].reads
    assert not by_name["guess"].reads
    when = candidates(
        'the player guesses "crane"', "when", [("word", "str")], "the player guesses {word}", model
    )
    assert all(not entry["target"].endswith((".guesses", ".round")) for entry in when)
    then = candidates(
        "the guesses are {string}", "then", [("string", "str")], "the guesses are {string}", model
    )
    reads = [entry["call"] for entry in then if entry["target"].endswith(".guesses")]
    assert reads
    assert all(not call.endswith(")") for call in reads)


def test_a_click_command_is_never_a_function_to_call(tmp_path: Path) -> None:
    """Called directly, a click command parses pytest's own command line and exits."""
    model = _discover(_project(tmp_path, GAME))
    kinds = {item.name: item.kind for item in model.callables}
    assert kinds["score"] == "function"
    assert kinds["cli"] == kinds["play"] == "command"  # through the harness's CLI runner
    assert "reset" not in kinds


STORE = {
    "src/servers/__init__.py": "",
    "src/servers/store.py": """
        from dataclasses import dataclass


        @dataclass
        class ServerConfig:
            name: str


        class ServerStore:
            def save_server(self, config: ServerConfig) -> None:
                pass

            def save_name(self, name: str) -> None:
                pass
    """,
}


def test_a_call_that_could_only_raise_is_no_candidate_in_plan_or_hints(tmp_path: Path) -> None:
    """`save_server(config=string)` hands a step's text to a parameter annotated ServerConfig."""
    from redphase.plan.call_fit import Signatures
    from redphase.plan.wiring import candidates

    root = _project(tmp_path, STORE)
    model = _discover(root)
    args = ('I save the server "gitmcp"', "when", [("string", "string")], "I save the server {string}", model)
    unchecked = [entry["target"] for entry in candidates(*args)]
    checked = [entry["target"] for entry in candidates(*args, signatures=Signatures(root))]
    assert "servers.store.ServerStore.save_server" in unchecked
    assert "servers.store.ServerStore.save_server" not in checked
    assert "servers.store.ServerStore.save_name" in checked
