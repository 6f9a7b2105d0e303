"""The general ranking rules, each on a small synthetic application read by static discovery."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from redphase.config import load_config
from redphase.discover.model import SystemModel
from redphase.discover.rank import rank
from redphase.discover.scan import discover
from redphase.discover.words import concepts_of


def _model(root: Path, files: dict[str, str]) -> SystemModel:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n', encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return discover(load_config(root))


def _best(model: SystemModel, text: str, kind: str) -> list[str]:
    return [c.callable.target for c in rank(text, kind, model.callables)]


LOBBY = {
    "game/__init__.py": "",
    "game/lobby.py": """
        class LobbyService:
            def join_lobby(self, player):
                '''Put the player in the lobby.'''

            def leave_lobby(self, player):
                ...

            def players_in_lobby(self):
                ...
    """,
    "game/main.py": """
        from fastapi import FastAPI

        from game.lobby import LobbyService

        app = FastAPI()
        lobby = LobbyService()

        @app.post("/login")
        def login_submit(player_name: str):
            lobby.join_lobby(player_name)

        @app.post("/leave")
        def leave(player_name: str):
            lobby.leave_lobby(player_name)
    """,
}


def test_a_route_is_found_through_the_service_call_its_handler_makes(tmp_path: Path) -> None:
    model = _model(tmp_path, LOBBY)
    login = next(c for c in model.callables if c.target == "POST /login")
    assert login.calls == ("join_lobby",)
    found = rank('another player "{name}" joins the lobby', "when", model.callables)
    # The handler's own name says nothing of the lobby; the test still reaches join_lobby through it.
    assert found[0].callable.target == "POST /login"
    assert "its handler calls game.lobby.LobbyService.join_lobby" in found[0].why
    assert found[1].callable.target == "game.lobby.LobbyService.join_lobby"


def test_outside_a_web_app_the_service_itself_comes_first(tmp_path: Path) -> None:
    model = _model(tmp_path, {"game/__init__.py": "", "game/lobby.py": LOBBY["game/lobby.py"]})
    assert _best(model, 'another player "{name}" joins the lobby', "when")[0] == (
        "game.lobby.LobbyService.join_lobby"
    )


TOOLS = {
    "tools/__init__.py": "",
    "tools/api.py": """
        from fastapi import APIRouter, FastAPI

        app = FastAPI()
        router = APIRouter()

        @router.post("/tools")
        def create_tool_route(name: str):
            ...

        @router.get("/tools/{tool_id}")
        def get_tool_route(tool_id: int):
            ...

        @router.put("/tools/{tool_id}")
        def replace_tool_route(tool_id: int, name: str):
            ...

        @router.delete("/tools/{tool_id}")
        def delete_tool_route(tool_id: int):
            ...
    """,
}


def test_a_step_that_names_the_http_method_picks_the_route_by_it(tmp_path: Path) -> None:
    model = _model(tmp_path, TOOLS)
    # PUT replaces: it is not the English "put" that would mean adding.
    assert _best(model, "I PUT tool by id with body '{body}'", "when")[0] == "PUT /tools/{tool_id}"
    assert _best(model, "I DELETE tool by id", "when")[0] == "DELETE /tools/{tool_id}"
    assert _best(model, "I GET tool by id", "when")[0] == "GET /tools/{tool_id}"


def test_a_routes_method_is_its_verb(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        {
            "notes/__init__.py": "",
            "notes/web.py": """
                from flask import Flask

                app = Flask(__name__)

                @app.route("/notes", methods=["POST"])
                def notes():
                    ...

                @app.route("/notes/<int:number>", methods=["DELETE"])
                def note(number):
                    ...
            """,
        },
    )
    assert _best(model, 'I add a note "{text}"', "when")[0] == "POST /notes"
    assert _best(model, "I remove the note {int}", "when")[0] == "DELETE /notes/<int:number>"


def test_in_a_given_existing_is_arranged_by_a_creation(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/accounts.py": """
                class AccountStore:
                    def create_account(self, email):
                        ...

                    def get_account(self, email):
                        ...

                    def delete_account(self, email):
                        ...
            """,
        },
    )
    assert (
        _best(model, 'an account "{email}" exists', "given")[0] == "shop.accounts.AccountStore.create_account"
    )
    # An absence is arranged by a removal, and a Then that asks for existence reads.
    assert (
        _best(model, 'no account "{email}" exists', "given")[0] == "shop.accounts.AccountStore.delete_account"
    )
    assert _best(model, 'the account "{email}" should exist', "then")[0] == (
        "shop.accounts.AccountStore.get_account"
    )


VENDING = {
    "vending/__init__.py": "",
    "vending/machine.py": """
        class VendingMachine:
            def insert_coin(self, count):
                ...

            def get_payment(self):
                ...

            def get_message(self):
                ...

            def get_product(self):
                ...

            def get_coin_return(self):
                ...
    """,
}


def test_money_words_meet_payments_and_coins(tmp_path: Path) -> None:
    model = _model(tmp_path, VENDING)
    assert concepts_of("cents") & concepts_of("payment")
    assert _best(model, "the machine should hold a total of {int} cents", "then")[0] == (
        "vending.machine.VendingMachine.get_payment"
    )
    assert _best(model, "a vending machine with {cents:d} cents", "given")[0] == (
        "vending.machine.VendingMachine.insert_coin"
    )


def test_a_parameters_own_name_is_weak_evidence(tmp_path: Path) -> None:
    model = _model(tmp_path, VENDING)
    # "{expected_return:d}" names the value: the coin return, not the message.
    top = _best(model, "the vending machine should give back {expected_return:d}", "then")
    assert top[0] == "vending.machine.VendingMachine.get_coin_return"


def test_a_generic_verb_weighs_less_than_the_noun_beside_it(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        {
            "lint/__init__.py": "",
            "lint/engine.py": """
                class Engine:
                    def lint_files(self, paths):
                        ...
            """,
            "lint/jobs.py": """
                def run(job):
                    ...
            """,
        },
    )
    assert _best(model, "the linter runs", "when")[0] == "lint.engine.Engine.lint_files"


def test_an_options_words_point_to_the_command_not_to_a_namesake(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        {
            "report/__init__.py": "",
            "report/levels.py": """
                def assign_level(score):
                    ...
            """,
            "report/cli.py": """
                import argparse

                def main(argv=None):
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--min-level")
            """,
        },
    )
    assert _best(model, "report runs with --min-level {n:d}", "when")[0] == "report.cli.main"


def test_a_routes_path_names_its_resource(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        {
            "blog/__init__.py": "",
            "blog/views.py": """
                from flask import Flask

                app = Flask(__name__)

                @app.route("/articles", methods=["POST"])
                def create():
                    ...

                @app.route("/comments", methods=["POST"])
                def submit():
                    ...
            """,
        },
    )
    assert _best(model, 'I publish an article "{title}"', "when")[0] == "POST /articles"
    assert _best(model, 'I leave a comment "{text}"', "when")[0] == "POST /comments"


def test_general_synonyms_join_words_of_one_meaning() -> None:
    assert concepts_of("approves") & concepts_of("accept")
    assert concepts_of("declined") & concepts_of("reject")
    assert concepts_of("withdraws") & concepts_of("debit")
    # A noun that is also a verb elsewhere keeps its own meaning: a book is not a reservation.
    assert not concepts_of("book") & concepts_of("reserve")


SHOP = {
    "shop/__init__.py": "",
    "shop/mail.py": """
        import smtplib

        class Mailer:
            def send_confirmation(self, to):
                ...
    """,
    "shop/orders.py": """
        class OrderRepository:
            def add_order(self, number):
                ...

        class OrderBook:
            def add_order(self, number):
                ...

            def confirmation_text(self, number):
                ...
    """,
}


def test_a_then_observes_the_fake_of_an_external_client(tmp_path: Path) -> None:
    model = _model(tmp_path, SHOP)
    mailer = next(c for c in model.callables if c.name == "send_confirmation")
    assert mailer.boundary == "external"
    found = rank('a confirmation should be sent to "{email}"', "then", model.callables)
    assert found[0].callable.target == "shop.mail.Mailer.send_confirmation"
    assert "Then observes a fake" in found[0].why


def test_a_given_seeds_the_isolated_store(tmp_path: Path) -> None:
    model = _model(tmp_path, SHOP)
    assert {c.target: c.boundary for c in model.callables if c.name == "add_order"} == {
        "shop.orders.OrderRepository.add_order": "database",
        "shop.orders.OrderBook.add_order": "",
    }
    found = rank("an order {int} was added", "given", model.callables)
    assert found[0].callable.target == "shop.orders.OrderRepository.add_order"
    assert "Given seeds the isolated store" in found[0].why


def test_where_a_port_exists_the_fake_is_observed_through_it(tmp_path: Path) -> None:
    files = {
        **SHOP,
        "shop/ports.py": """
            from typing import Protocol

            class Notifier(Protocol):
                def send_confirmation(self, to): ...
        """,
    }
    model = _model(tmp_path, files)
    found = rank('a confirmation should be sent to "{email}"', "then", model.callables)
    assert [c.callable.target for c in found[:2]] == [
        "shop.ports.Notifier.send_confirmation",
        "shop.mail.Mailer.send_confirmation",
    ]


@pytest.mark.parametrize(("a", "b"), [("registers", "register"), ("orders", "order"), ("numbers", "number")])
def test_every_form_of_a_word_has_one_stem(a: str, b: str) -> None:
    from redphase.discover.rank import stem

    assert stem(a) == stem(b)
