"""An append keeps the person's lines; its imports join theirs where isort would put them."""

from __future__ import annotations

import ast

from redphase.write.files import appended
from tests.conftest import keeps_every_line

MINE = '''"""Steps. Use them like this:

from pytest_bdd import given
import os
"""

import sys

from pytest_bdd import given

X = sys.argv
'''

CHUNK = """from typing import TYPE_CHECKING

from pytest_bdd import parsers, when

if TYPE_CHECKING:
    from conftest import Harness


@when(parsers.re(r"go"))
def when_go(system: Harness) -> None:
    system.act("go")
"""


def test_imports_join_the_persons_and_never_a_docstring() -> None:
    new = appended(MINE, CHUNK)
    docstring = ast.get_docstring(ast.parse(new), clean=False)
    assert docstring == ast.get_docstring(ast.parse(MINE), clean=False)
    assert keeps_every_line(
        MINE.replace(
            "\nfrom pytest_bdd import given\n\nX", "\nfrom pytest_bdd import given, parsers, when\n\nX"
        ),
        new,
    )
    assert (
        "import sys\nfrom typing import TYPE_CHECKING\n\nfrom pytest_bdd import given, parsers, when\n" in new
    )
    body = ast.parse(new).body
    kinds = [type(statement).__name__ for statement in body]
    assert kinds == ["Expr", "Import", "ImportFrom", "ImportFrom", "If", "Assign", "FunctionDef"]
    assert new.endswith(CHUNK.split("\n\n\n", 1)[1])


def test_a_text_that_does_not_parse_gets_the_whole_chunk_at_the_end() -> None:
    broken = "import os\ndef (:\n"
    assert appended(broken, CHUNK) == broken + "\n\n" + CHUNK
