"""The project's formatter settings: read from pyproject.toml, and when the hand layout may skip them."""

from __future__ import annotations

from pathlib import Path

import pytest

from redphase import cache, installed
from redphase.config import load_config
from redphase.diagnostics import UsageError
from redphase.formatter_settings import Formatting
from redphase.render import formatting
from redphase.render.renderer import Python

PROJECT = '[project]\nname = "demo"\nversion = "0"\nrequires-python = ">=3.11"\n'


def formatting_of(tmp_path: Path, settings: str) -> Formatting:
    (tmp_path / "pyproject.toml").write_text(PROJECT + settings, encoding="utf-8")
    return load_config(tmp_path).formatting


def test_without_a_formatter_section_black_defaults_apply(tmp_path: Path) -> None:
    assert formatting_of(tmp_path, "") == Formatting(requires_python=">=3.11")


def test_black_settings_are_read_with_either_spelling(tmp_path: Path) -> None:
    found = formatting_of(
        tmp_path,
        "[tool.black]\nline_length = 100\ntarget-version = ['py311', 'PY312']\n"
        "skip-string-normalization = true\nskip-magic-trailing-comma = true\n",
    )
    assert found == Formatting(
        tool="black",
        source="[tool.black]",
        line_length=100,
        target_versions=("py311", "py312"),
        skip_string_normalization=True,
        skip_magic_trailing_comma=True,
        quote_style="preserve",
        requires_python=">=3.11",
    )


def test_ruff_settings_are_read_when_black_is_not_configured(tmp_path: Path) -> None:
    found = formatting_of(
        tmp_path,
        '[tool.ruff]\nline-length = 100\ntarget-version = "py312"\n\n'
        '[tool.ruff.format]\nquote-style = "single"\nskip-magic-trailing-comma = true\n',
    )
    assert (found.tool, found.source, found.line_length, found.target_versions) == (
        "ruff",
        "[tool.ruff]",
        100,
        ("py312",),
    )
    assert (found.quote_style, found.skip_magic_trailing_comma, found.skip_string_normalization) == (
        "single",
        True,
        False,
    )


def test_black_decides_when_both_are_configured(tmp_path: Path) -> None:
    found = formatting_of(tmp_path, "[tool.black]\nline-length = 100\n\n[tool.ruff]\nline-length = 79\n")
    assert (found.tool, found.line_length) == ("black", 100)


@pytest.mark.parametrize(
    "settings",
    [
        "[tool.black]\nline-length = 'long'\n",
        "[tool.black]\nskip-string-normalization = 'yes'\n",
        "[tool.ruff.format]\nquote-style = 'backticks'\n",
        "[tool.black]\ntarget-version = 311\n",
    ],
)
def test_invalid_formatter_settings_are_usage_errors(tmp_path: Path, settings: str) -> None:
    with pytest.raises(UsageError, match=r"\[tool\.(black|ruff)"):
        formatting_of(tmp_path, settings)


@pytest.mark.parametrize(
    ("settings", "holds"),
    [
        (Formatting(), True),
        (Formatting(skip_string_normalization=True, skip_magic_trailing_comma=True), True),
        (Formatting(target_versions=("py38", "py313")), True),
        (Formatting(line_length=100), True),
        (Formatting(line_length=120), True),
        (Formatting(line_length=99), False),
        (Formatting(line_length=79), False),
        (Formatting(preview=True), False),
        (Formatting(target_versions=("py33",)), False),
        (Formatting(tool="ruff", source="[tool.ruff]"), False),
    ],
)
def test_the_hand_layout_is_trusted_only_where_ci_checks_it(settings: Formatting, holds: bool) -> None:
    assert formatting.hand_layout_holds(settings) is holds


@pytest.mark.parametrize(
    ("black", "holds"), [("24.1.0", True), ("26.3.1", True), ("23.12.1", False), ("27.1.0", False)]
)
def test_the_hand_layout_is_trusted_only_in_the_black_releases_ci_runs(
    monkeypatch: pytest.MonkeyPatch, black: str, holds: bool
) -> None:
    monkeypatch.setitem(installed._found, "black", black)
    assert formatting.hand_layout_holds(Formatting()) is holds


def test_an_untrusted_layout_goes_through_black_even_when_exact() -> None:
    squeezed = Python("x = [\n    1,\n    2\n]\n", exact=True)
    assert formatting.formatted([squeezed]) == [squeezed.source]  # trusted: black never sees it
    wide = Formatting(tool="black", source="[tool.black]", line_length=99, skip_string_normalization=True)
    assert formatting.formatted([squeezed], wide) == ["x = [1, 2]\n"]


def test_without_ruff_a_ruff_project_gets_black_with_the_same_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formatting, "ruff_binary", lambda: None)
    ruff = Formatting(tool="ruff", source="[tool.ruff]", line_length=16, quote_style="single")
    source = "call(first, 'two')\n"
    assert formatting.format_many([source], ruff) == ['call(\n    first, "two"\n)\n']
    warning = formatting.formatter_warning(ruff)
    assert warning is not None
    assert "no ruff is installed" in warning
    assert "single quotes" in warning


def test_ruff_formats_a_ruff_project_with_its_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        PROJECT + '[tool.ruff]\nline-length = 16\n[tool.ruff.format]\nquote-style = "single"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert formatting.ruff_binary() is not None
    source = 'call(first, "two")\n'
    assert formatting.format_many([source], config.formatting, tmp_path) == ["call(\n    first, 'two'\n)\n"]
    assert formatting.formatter_warning(config.formatting) is None


def test_the_formatters_versions_are_part_of_the_run_cache_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT, encoding="utf-8")
    config = load_config(tmp_path)
    before = cache.fingerprint(config, [])
    monkeypatch.setitem(installed._found, "black", "99.1.0")
    assert cache.fingerprint(config, []) != before


def test_installed_versions_are_found_without_importing_the_tools() -> None:
    import black

    assert installed.version("black") == black.__version__
    assert installed.release("24.1.0") == (24, 1)
    assert installed.release("25.1rc1") == (25, 1)
    assert installed.release("unknown") is None


def test_code_that_does_not_parse_is_an_internal_error_not_a_traceback() -> None:
    from redphase.diagnostics import InternalError
    from redphase.render.formatting import format_python

    with pytest.raises(InternalError, match="does not parse"):
        format_python("def f(:\n    import a.b-c\n")
