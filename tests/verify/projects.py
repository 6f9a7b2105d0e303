"""Small pytest-bdd projects, one red of every kind, written the way people write them by hand."""

from __future__ import annotations

from pathlib import Path

PYPROJECT = """\
[project]
name = "shop"
version = "0"

[tool.pytest.ini_options]
pythonpath = ["src"]
addopts = ["--strict-markers"]
markers = ["health_check: harness health checks"]

[tool.redphase]
app = ["shop"]
"""

APP = {
    "src/shop/__init__.py": "",
    "src/shop/pricing.py": "def compute_total(prices):\n    return sum(prices)\n",
    "src/shop/cart.py": """\
import socket


def total(prices):
    # The business logic is missing: the red phase is about this.
    return 0


def checked_total(prices):
    assert prices, "a cart must never be empty here"
    return sum(prices)


def pay(amount):
    raise ValueError("payment declined")


def price_of(name):
    return {}[name]


def welcome(mailer, address):
    # Missing: mailer.send(address)
    return None


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=1)


class Cart:
    def __init__(self):
        self.prices = []

    def add(self, price):
        self.prices.append(price)
""",
}

CART_FEATURE = """\
Feature: Cart
  Scenario: Total of a cart
    Given a cart with items priced 2 and 3
    When the total is computed
    Then the total is 5

  Scenario Outline: Totals of many carts
    Given a cart with items priced <a> and <b>
    When the total is computed
    Then the total is <sum>

    Examples:
      | a | b | sum |
      | 1 | 1 | 2   |
      | 2 | 5 | 7   |
"""

CART_STEPS = """\
from unittest import mock

import pytest
from pytest_bdd import given, parsers, scenario, scenarios, then, when

from shop import cart

scenarios("../features/cart.feature")


@pytest.fixture
def context():
    return {}


@given(parsers.parse("a cart with items priced {a:d} and {b:d}"))
def _(context, a, b):
    context["cart"] = cart.Cart()
    context["cart"].add(a)
    context["cart"].add(b)


@when("the total is computed")
def _(context):
    context["total"] = cart.total(context["cart"].prices)


@then(parsers.parse("the total is {expected:d}"))
def _(context, expected):
    assert context["total"] == expected
"""

CASES: dict[str, str] = {
    # verdict: unwired-red (no application code runs in any step)
    "features/unwired.feature": "Feature: Unwired\n  Scenario: Nothing wired\n    Given nothing\n    Then it is done\n",
    "tests/test_unwired.py": """\
from pytest_bdd import given, scenarios, then

scenarios("../features/unwired.feature")


@given("nothing")
def _():
    pass


@then("it is done")
def _():
    observed = None
    assert observed == "done"
""",
    # verdict: passed (the behaviour exists)
    "features/passing.feature": "Feature: Passing\n  Scenario: Sum exists\n    When I check the sum of 2 and 3\n    Then it is 5\n",
    "tests/test_passing.py": """\
import pytest
from pytest_bdd import parsers, scenarios, then, when

from shop import cart

scenarios("../features/passing.feature")


@pytest.fixture
def box():
    return {}


@when(parsers.parse("I check the sum of {a:d} and {b:d}"))
def _(box, a, b):
    box["sum"] = cart.checked_total([a, b])


@then(parsers.parse("it is {n:d}"))
def _(box, n):
    assert box["sum"] == n
""",
    # verdicts: undefined-step, pending, early-failure (When raises in the application),
    # test-error (TypeError in Then; the application's own assert), good-red (pytest.raises saw
    # nothing raised), no-outcome, skipped,
    # good-red through a mock of an external service, fixture-error (step asks for a fixture nobody defines)
    "features/kinds.feature": """\
Feature: Kinds of red
  Scenario: Undefined
    Given a step nobody wrote
    Then nothing

  Scenario: Pending
    Given a pending step
    Then nothing

  Scenario: Payment fails early
    When the customer pays 10
    Then the order is paid

  Scenario: Type error in then
    When the customer adds 3
    Then the type error happens

  Scenario: Refusal not enforced yet
    When the customer adds 3
    Then a negative price is refused

  Scenario: Application crashes in then
    When the customer adds 3
    Then the price of "tea" is 3

  Scenario: Application assert fires
    When the customer adds 3
    Then the application checks an empty cart

  Scenario: No outcome
    When the customer adds 3

  @skip
  Scenario: Skipped
    When the customer adds 3
    Then nothing

  Scenario: Welcome email
    When "ann@example.com" signs up
    Then a welcome email is sent to "ann@example.com"

  Scenario: Missing fixture
    When the customer adds 3
    Then the database has the order
""",
    "tests/test_kinds.py": """\
from unittest import mock

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from shop import cart

scenarios("../features/kinds.feature")


@pytest.fixture
def box():
    return {"mailer": mock.Mock()}


@given("a pending step")
def _():
    raise NotImplementedError


@then("nothing")
def _():
    pass


@when(parsers.parse("the customer pays {amount:d}"))
def _(amount):
    cart.pay(amount)


@then("the order is paid")
def _():
    assert False, "never reached"


@when(parsers.parse("the customer adds {price:d}"))
def _(box, price):
    box["cart"] = cart.Cart()
    box["cart"].add(price)


@then("the type error happens")
def _(box):
    box["cart"].prices + "x"


@then("a negative price is refused")
def _(box):
    with pytest.raises(ValueError):
        box["cart"].add(-1)


@then(parsers.parse('the price of "{name}" is {price:d}'))
def _(name, price):
    assert cart.price_of(name) == price


@then("the application checks an empty cart")
def _(box):
    cart.checked_total([])


@when(parsers.parse('"{address}" signs up'))
def _(box, address):
    cart.welcome(box["mailer"], address)


@then(parsers.parse('a welcome email is sent to "{address}"'))
def _(box, address):
    box["mailer"].send.assert_called_once_with(address)


@then("the database has the order")
def _(database_session):
    assert database_session.orders
""",
    # verdict: infrastructure-error (a Given cannot connect)
    "features/infra.feature": "Feature: Infra\n  Scenario: Service down\n    Given the stock service is reachable\n    Then stock is 5\n",
    "tests/test_infra.py": """\
import socket

from pytest_bdd import given, scenarios, then

from shop import cart

scenarios("../features/infra.feature")


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@given("the stock service is reachable")
def _():
    cart.connect(_closed_port())


@then("stock is 5")
def _():
    assert 0 == 5
""",
    # verdict: teardown-error after a red
    "features/teardown.feature": (
        "Feature: Teardown\n  Scenario: Leaky fixture\n    When the customer adds 4\n    Then the total is 4\n\n"
        "  Scenario: Leaky and undefined\n    When the customer adds 4\n    Then a step nobody wrote either\n"
    ),
    "tests/test_teardown.py": """\
import pytest
from pytest_bdd import parsers, scenarios, then, when

from shop import cart

scenarios("../features/teardown.feature")


@pytest.fixture
def leaky():
    box = {}
    yield box
    raise RuntimeError("could not drop the test database")


@when(parsers.parse("the customer adds {price:d}"))
def _(leaky, price):
    leaky["prices"] = [price]


@then(parsers.parse("the total is {n:d}"))
def _(leaky, n):
    assert cart.total(leaky["prices"]) == n
""",
    # verdict: test-error (a check in the bound test function's own body, after its steps)
    "features/body.feature": "Feature: Body\n  Scenario: Body checks\n    When the customer adds 5\n    Then nothing\n",
    "tests/test_body.py": """\
from pytest_bdd import parsers, scenario, then, when

from shop import cart


@scenario("../features/body.feature", "Body checks")
def test_body_checks():
    assert cart.total([5]) == 5


@when(parsers.parse("the customer adds {price:d}"))
def _(price):
    cart.Cart().add(price)


@then("nothing")
def _():
    pass
""",
    # verdict: collection-error (import of a name that moved away)
    "tests/test_moved.py": "from shop.cart import compute_total  # moved away\n",
    # verdict: collection-error (missing feature file)
    "tests/test_missing_feature.py": 'from pytest_bdd import scenarios\n\nscenarios("../features/nowhere.feature")\n',
    # verdict: collection-error (a tag that is not a registered marker, under --strict-markers)
    "features/tagged.feature": "Feature: Tagged\n  @unregistered_tag\n  Scenario: Tagged\n    Given nothing\n    Then it is done\n",
    "tests/test_tagged.py": 'from pytest_bdd import scenarios\n\nscenarios("../features/tagged.feature")\n',
    # verdict: collection-error (syntax error in a conftest)
    "tests/broken/conftest.py": "def broken(:\n    pass\n",
    "tests/broken/test_inside.py": "def test_never_runs():\n    pass\n",
    # verdicts: health-ok, health-failed, not-scenario
    "tests/test_health.py": """\
import pytest

from shop import cart

pytestmark = pytest.mark.health_check


def test_cart_assembles():
    assert cart.Cart().prices == []


def test_storage_answers():
    assert cart.checked_total([1]) == 2
""",
    "tests/test_unit.py": (
        "def test_plain_unit():\n    assert 1 + 1 == 2\n\n\n"
        "def test_plain_unit_missing_a_fixture(mocker_that_is_not_installed):\n    assert True\n"
    ),
}

EXPECTED = {
    "tests/test_cart.py::test_total_of_a_cart": "good-red",
    "tests/test_cart.py::test_totals_of_many_carts[1-1-2]": "good-red",
    "tests/test_cart.py::test_totals_of_many_carts[2-5-7]": "good-red",
    "tests/test_unwired.py::test_nothing_wired": "unwired-red",
    "tests/test_passing.py::test_sum_exists": "passed",
    "tests/test_kinds.py::test_undefined": "undefined-step",
    "tests/test_kinds.py::test_pending": "pending",
    "tests/test_kinds.py::test_payment_fails_early": "early-failure",
    "tests/test_kinds.py::test_type_error_in_then": "test-error",
    "tests/test_kinds.py::test_refusal_not_enforced_yet": "good-red",
    "tests/test_kinds.py::test_application_crashes_in_then": "test-error",
    "tests/test_kinds.py::test_application_assert_fires": "test-error",
    "tests/test_kinds.py::test_no_outcome": "no-outcome",
    "tests/test_kinds.py::test_skipped": "skipped",
    "tests/test_kinds.py::test_welcome_email": "good-red",
    "tests/test_kinds.py::test_missing_fixture": "fixture-error",
    "tests/test_infra.py::test_service_down": "infrastructure-error",
    "tests/test_body.py::test_body_checks": "test-error",
    "tests/test_teardown.py::test_leaky_fixture": "teardown-error",
    # The test's own trouble first: the teardown that failed after it is said in its why.
    "tests/test_teardown.py::test_leaky_and_undefined": "undefined-step",
    "tests/test_moved.py": "collection-error",
    "tests/test_missing_feature.py": "collection-error",
    "tests/test_tagged.py": "collection-error",
    "tests/broken": "collection-error",
    "tests/test_health.py::test_cart_assembles": "health-ok",
    "tests/test_health.py::test_storage_answers": "health-failed",
    "tests/test_unit.py::test_plain_unit": "not-scenario",
    # Listed, never judged: a plain test whose fixture is missing is not a bad red of the red phase.
    "tests/test_unit.py::test_plain_unit_missing_a_fixture": "not-scenario",
}


def write_project(root: Path) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        **APP,
        "features/cart.feature": CART_FEATURE,
        "tests/test_cart.py": CART_STEPS,
    }
    files.update(CASES)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
