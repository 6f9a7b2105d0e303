"""Rewrite the golden files from what redphase renders today: `python tests/golden/regenerate.py`.

Review the diff before committing it: a golden change is a change in what every user gets.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def render_case(case: Path, into: Path) -> Path:
    """Scaffold `case/features` in a fresh project under `into`; return the generated tests folder."""
    from redphase.config import load_config
    from redphase.scaffold import scaffold

    project = into / case.name
    shutil.copytree(case / "features", project / "features")
    (project / "pyproject.toml").write_text('[project]\nname = "golden"\nversion = "0"\n', encoding="utf-8")
    result = scaffold(load_config(project), [], use_cache=False)
    if result.has_errors:
        raise SystemExit("\n".join(d.render() for d in result.diagnostics))
    return project / "tests"


def main() -> int:
    for case in sorted((HERE / "cases").iterdir()):
        with tempfile.TemporaryDirectory() as scratch:
            generated = render_case(case, Path(scratch))
            expected = case / "expected"
            shutil.rmtree(expected, ignore_errors=True)
            shutil.copytree(generated, expected)
        print(f"regenerated {expected.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
