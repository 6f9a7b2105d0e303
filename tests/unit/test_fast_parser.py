"""The table-dispatch parser is gherkin's parser: same AST, same errors, on every corpus file."""

from __future__ import annotations

from pathlib import Path

import pytest
from gherkin.errors import CompositeParserException, ParserException
from gherkin.parser import Parser

from redphase.parse.fast_parser import TableParser

CORPUS = Path(__file__).resolve().parents[1] / "data" / "gherkin-testdata"
FILES = sorted(CORPUS.glob("*/*.feature"))


def _outcome(parser: Parser, source: str) -> object:
    try:
        return parser.parse(source)
    except CompositeParserException as composite:
        return [str(error) for error in composite.errors]
    except ParserException as error:
        return [str(error)]


def test_the_corpus_has_good_and_bad_files() -> None:
    assert {path.parent.name for path in FILES} == {"good", "bad"}


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_same_result_as_gherkins_parser(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert _outcome(TableParser(), source) == _outcome(Parser(), source)


def test_a_state_missing_from_the_table_uses_gherkins_dispatch() -> None:
    parser = TableParser()
    parser._by_state.clear()
    source = (CORPUS / "good" / "minimal.feature").read_text(encoding="utf-8")
    assert parser.parse(source) == Parser().parse(source)
