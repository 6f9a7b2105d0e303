"""Issue: init. A new project whose red phase is right from the first minute, and turns green."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from redphase.init import template_dir
from tests.conftest import CORPUS, run_cli, snapshot

SERVICE_GREEN = """\
        # The red phase points here: the welcome email and the audit event are not written yet.
        return account
"""
IMPLEMENTED = """\
        self.mailer.send(Message(to=email, subject="Welcome!", body=f"Hello {name}, welcome aboard."))
        self.store.record(AuditEvent(name="user_registered", subject=email))
        return account
"""


# The project's own gates, as its README names them; each tool is a [test] dependency here.
GATES = {
    "black --check .": ["black", "--check", "."],
    "ruff check .": ["ruff", "check", "--no-cache", "."],
    "ruff format --check .": ["ruff", "format", "--check", "--no-cache", "."],
    "mypy": ["mypy"],
}
# Short, digits, and long: black's layout of a line depends on how long the package name is.
NAMES = ["x", "proj", "shop2go", "a1b2", "long" * 15]


def _failed_gates(root: Path, gates: list[str], env: dict[str, str] | None = None) -> list[str]:
    """Each gate that fails in `root`, with what it printed."""
    failed = []
    for gate in gates:
        completed = subprocess.run(
            [sys.executable, "-m", *GATES[gate]],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **(env or {})},
        )
        if completed.returncode != 0:
            failed.append(f"$ {gate}  (exit {completed.returncode})\n{completed.stdout}{completed.stderr}")
    return failed


def _verify(root: Path) -> tuple[int, dict[str, str]]:
    out = root.parent / f"{root.name}-verdicts.json"
    completed = subprocess.run(
        [sys.executable, "-m", "redphase", "verify", "--json", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    verdicts = {r["nodeid"]: r["verdict"] for r in json.loads(out.read_text(encoding="utf-8"))["results"]}
    return completed.returncode, verdicts


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("x") / "shop"
    result = run_cli("init", str(root), "--no-input")
    assert result.exit_code == 0, result.output
    return root


def test_the_new_project_is_a_good_red_with_passing_health_checks(shop: Path) -> None:
    code, verdicts = _verify(shop)
    assert code == 0
    assert set(verdicts.values()) == {"good-red", "health-ok"}
    assert list(verdicts.values()).count("good-red") == 2
    assert list(verdicts.values()).count("health-ok") == 2
    assert (shop / "redphase.lock").is_file()  # the red run locks its good reds


def test_scaffold_wires_the_example_from_the_code_alone(shop: Path, tmp_path: Path) -> None:
    """The harness reset to nothing and the example's steps and tests deleted: scaffold assembles
    the system from its composition root and wires every step, and the red is good."""
    project = tmp_path / "reset"
    shutil.copytree(shop, project)
    integration = project / "tests" / "integration"
    for generated in ("conftest.py", "test_harness_health.py", "test_user_registration.py", "step_defs"):
        target = integration / generated
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    (project / "redphase.lock").unlink()
    result = run_cli("scaffold", cwd=project)
    assert result.exit_code == 0, result.output
    steps = (integration / "step_defs" / "user_registration_steps.py").read_text(encoding="utf-8")
    wired = steps.count("Wiring inferred by redphase")
    assert wired >= 4, steps
    assert "def when_a_visitor_registers_with_email_and_name(" in steps
    assert "system.app.registration.register(email=email, name=name)" in steps
    assert "system.act(" not in steps
    assert "keyword" not in steps
    harness = (integration / "conftest.py").read_text(encoding="utf-8")
    assert "class FakeMailer(Fake, Mailer):" in harness
    assert "create_system(" in harness
    code, verdicts = _verify(project)
    assert code == 0, verdicts
    assert sorted(verdicts.values()) == ["good-red", "good-red", "health-ok", "health-ok"]


def test_the_example_tests_come_from_scaffold(shop: Path) -> None:
    steps = (shop / "tests" / "integration" / "step_defs" / "user_registration_steps.py").read_text(
        encoding="utf-8"
    )
    assert steps.startswith('"""Step definitions first used by features/user_registration.feature.')
    assert not any(path.name == "test_user_registration.py" for path in template_dir().rglob("*"))
    assert run_cli("scaffold", "--check", cwd=shop).exit_code == 0


def test_a_second_init_changes_no_byte(shop: Path) -> None:
    before = snapshot(shop)
    result = run_cli("init", str(shop), "--no-input")
    assert result.exit_code != 0
    assert "already exists and is not empty" in result.output
    assert snapshot(shop) == before


def test_implementing_the_missing_logic_turns_the_journey_green(shop: Path, tmp_path: Path) -> None:
    green = tmp_path / "green"
    shutil.copytree(shop, green)
    services = green / "src" / "shop" / "services.py"
    text = services.read_text(encoding="utf-8")
    assert SERVICE_GREEN in text
    text = text.replace(SERVICE_GREEN, IMPLEMENTED).replace(
        "from .domain import Account, AlreadyRegistered",
        "from .domain import Account, AlreadyRegistered, AuditEvent, Message",
    )
    services.write_text(text, encoding="utf-8")
    code, verdicts = _verify(green)
    scenarios = {
        nodeid: verdict for nodeid, verdict in verdicts.items() if "test_user_registration" in nodeid
    }
    assert set(scenarios.values()) == {"passed"}
    assert len(scenarios) == 2
    assert code == 1  # a passing scenario is not a red: the red phase is over


def test_a_new_feature_reuses_wired_steps_and_new_steps_are_unwired(shop: Path, tmp_path: Path) -> None:
    project = tmp_path / "next"
    shutil.copytree(shop, project)
    (project / "features" / "password_reset.feature").write_text(
        "Feature: Password reset\n"
        "  Scenario: A registered user asks for a reset link\n"
        '    When a visitor registers with email "lin@example.com" and name "Lin"\n'
        '    And "lin@example.com" asks for a password reset\n'
        '    Then a reset link is sent to "lin@example.com"\n',
        encoding="utf-8",
    )
    result = run_cli("scaffold", cwd=project)
    assert result.exit_code == 0, result.output
    new_steps = (project / "tests" / "integration" / "step_defs" / "password_reset_steps.py").read_text(
        encoding="utf-8"
    )
    assert "a visitor registers" not in new_steps
    code, verdicts = _verify(project)
    assert (
        verdicts["tests/integration/test_password_reset.py::test_a_registered_user_asks_for_a_reset_link"]
        == "unwired-red"
    )
    assert code == 1


def test_cookiecutter_renders_the_same_project(shop: Path, tmp_path: Path) -> None:
    pytest.importorskip("cookiecutter")
    from cookiecutter.main import cookiecutter

    answers = {"project_name": "shop", "package_name": "shop"}
    rendered = Path(
        cookiecutter(str(template_dir()), no_input=True, extra_context=answers, output_dir=str(tmp_path))
    )
    made = snapshot(shop)
    made.pop("redphase.lock", None)  # written by the red-phase verify above, not by init
    assert snapshot(rendered) == made


@pytest.mark.slow
def test_the_readme_install_command_works(shop: Path, tmp_path: Path) -> None:
    project = tmp_path / "installed"
    shutil.copytree(shop, project)
    environment = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)
    completed = subprocess.run(
        [str(environment / "bin" / "pip"), "install", "--quiet", "-e", ".[test]"],
        cwd=project, capture_output=True, text=True, check=False, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    ran = subprocess.run(
        [str(environment / "bin" / "python"), "-m", "pytest", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "2 failed, 2 passed" in ran.stdout


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--package-name", "my-shop", "not a valid Python package name"),
        ("--project-name", "platform", "taken by a standard library module"),
        ("--description", 'say "hi"', "may not contain quotes"),
    ],
)
def test_bad_answers_are_refused_before_anything_is_written(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    result = run_cli("init", str(tmp_path / "p"), "--no-input", option, value)
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "p").exists()


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the projects below: the standard library and pytest are read once."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES, ids=lambda name: f"{len(name)}-chars" if len(name) > 8 else name)
def test_the_new_project_passes_its_own_gates(tmp_path: Path, mypy_cache: Path, name: str) -> None:
    root = tmp_path / name
    result = run_cli("init", str(root), "--no-input", "--project-name", name)
    assert result.exit_code == 0, result.output
    assert (root / "src" / name / "system.py").is_file()
    failed = _failed_gates(root, list(GATES), env={"MYPY_CACHE_DIR": str(mypy_cache)})
    assert failed == [], "\n".join(failed)


@pytest.mark.slow
@pytest.mark.slow
def test_the_official_corpus_and_the_hostile_feature_scaffolded_into_the_project_pass_every_gate(
    shop: Path, tmp_path: Path, mypy_cache: Path
) -> None:
    project = tmp_path / "corpus"
    shutil.copytree(shop, project)
    good = sorted((CORPUS / "good").glob("*.feature"))
    assert good
    for feature in [*good, CORPUS.parent / "hostile.feature"]:
        shutil.copy(feature, project / "features" / feature.name)
    result = run_cli("scaffold", cwd=project)
    assert result.exit_code == 0, result.output
    assert len(list((project / "tests" / "integration").glob("test_*.py"))) > 40
    failed = _failed_gates(project, list(GATES), env={"MYPY_CACHE_DIR": str(mypy_cache)})
    assert failed == [], "\n".join(failed)
