"""gherkin-official's own parser, with its per-line state dispatch made a table lookup.

`Parser.match_token` builds a dictionary of about fifty bound methods for every line it reads,
a fifth of all parsing time. This parser builds that table once. The grammar, the AST and the
errors are gherkin's own: only the lookup of the next state's method changes, and a state missing
from the table (a gherkin release that renamed its methods) falls back to the stock dispatch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from gherkin.parser import Parser, ParserContext
from gherkin.token import Token

_STATE_METHOD = re.compile(r"match_token_at_(\d+)")


@cache
def _state_methods() -> tuple[tuple[int, str], ...]:
    return tuple(
        (int(match.group(1)), name) for name in dir(Parser) if (match := _STATE_METHOD.fullmatch(name))
    )


class TableParser(Parser):
    def __init__(self) -> None:
        super().__init__()
        self._by_state: dict[int, Callable[[Token, ParserContext], int]] = {
            state: getattr(self, name) for state, name in _state_methods()
        }

    def match_token(self, state: int, token: Token, context: ParserContext) -> int:
        method = self._by_state.get(state)
        if method is None:
            return super().match_token(state, token, context)
        return method(token, context)
