"""The exact text redphase renders. Regenerate with `python tests/golden/regenerate.py` and review."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.regenerate import HERE, render_case

CASES = sorted(path for path in (HERE / "cases").iterdir() if path.is_dir())


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.name)
def test_rendered_text_matches_the_golden_files(case: Path, tmp_path: Path) -> None:
    generated = _tree(render_case(case, tmp_path))
    expected = _tree(case / "expected")
    assert sorted(generated) == sorted(expected)
    for name, text in expected.items():
        assert generated[name] == text, f"{case.name}/{name} differs: run tests/golden/regenerate.py and review"
