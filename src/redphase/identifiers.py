"""Readable, valid, unique Python names from arbitrary Gherkin text."""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterable

from redphase.width import width

_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_PLAIN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def identifier(text: str, fallback: str) -> str:
    """A lowercase identifier from `text`; `fallback` when nothing usable is left."""
    if _PLAIN.fullmatch(text) and not keyword.iskeyword(text) and not keyword.issoftkeyword(text):
        return text  # already what the steps below would make of it: most words of most steps
    text = unicodedata.normalize("NFKC", text).lower()
    words = [word for word in _NOT_WORD.split(text) if word]
    name = "_".join(words).strip("_")
    # \w admits a few characters that cannot appear in an identifier at all; drop them.
    if not name.isascii():
        name = "".join(ch for ch in name if ("_" + ch).isidentifier())
    name = re.sub(r"_+", "_", name).strip("_")
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_"
    return name


def unique(base: str, taken: Iterable[str] | set[str]) -> str:
    taken_set = taken if isinstance(taken, set) else set(taken)
    name, counter = base, 2
    while name in taken_set:
        name, counter = f"{base}_{counter}", counter + 1
    return name


def shorten(name: str, limit: int = 80) -> str:
    """`name` cut to `limit` columns as black counts them (a wide character takes two), at the end
    of a word: a name cut in the middle of a word reads as a typo."""
    if width(name) <= limit:
        return name
    cut = name[:limit]
    while width(cut) > limit:
        cut = cut[:-1]
    if name[len(cut)] != "_" and "_" in cut:
        whole = cut[: cut.rindex("_")].rstrip("_")
        cut = whole or cut
    return cut.rstrip("_")


def is_module_path(text: str) -> bool:
    """`text` is a dotted module path an import statement can name (no `gen-2` folder, no keyword)."""
    return bool(text) and all(part.isidentifier() and not keyword.iskeyword(part) for part in text.split("."))
