"""Display width of a line, measured exactly as the installed black measures it.

black counts East Asian wide characters as two columns and combining marks as none when it decides
whether a line fits. The table is black's own, read from its source without importing black, which
costs more than a whole small scaffold.
"""

from __future__ import annotations

import ast
import bisect
import importlib.util
from functools import lru_cache
from pathlib import Path


def width(text: str) -> int:
    if text.isascii():
        return len(text)
    starts, ends, widths = _table()
    total = 0
    for char in text:
        code = ord(char)
        index = bisect.bisect_right(starts, code) - 1
        if index >= 0 and code <= ends[index]:
            total += max(widths[index], 0)
        else:
            total += 1
    return total


@lru_cache(maxsize=1)
def _table() -> tuple[list[int], list[int], list[int]]:
    rows = sorted(_black_rows())
    return [row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows]


def _black_rows() -> list[tuple[int, int, int]]:
    spec = importlib.util.find_spec("black")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        source = Path(folder) / "_width_table.py"
        if source.is_file():
            return _rows_in(source.read_text(encoding="utf-8"))
    # A black installed without its sources: import the table, and black with it.
    from black._width_table import WIDTH_TABLE

    return list(WIDTH_TABLE)


def _rows_in(source: str) -> list[tuple[int, int, int]]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
            value = ast.literal_eval(node.value)
            if isinstance(value, list):
                return [tuple(row) for row in value]
    raise RuntimeError("black's width table has an unexpected shape")
