"""Words and concepts: identifiers and prose split into words, stemmed, and joined by meaning.

Words are split (snake_case, camelCase), lowercased and stemmed; a few general synonym groups join
words that name the same action or thing, so `register` meets `create` and `cents` meets `payment`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "and",
        "or",
        "from",
        "by",
        "as",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "then",
        "when",
        "given",
        "i",
        "we",
        "you",
        "he",
        "she",
        "they",
        "my",
        "our",
        "your",
        "his",
        "her",
        "should",
        "must",
        "can",
        "will",
        "shall",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "not",
        "no",
        "all",
        "any",
        "some",
        "each",
        "every",
        "which",
        "who",
        "what",
        "into",
        "onto",
        "user",
        "users",
        "visitor",
        "customer",
    ]
)
# Each group: words that name the same action or thing. Kept small and general.
SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "add create new make insert register sign signup put post",
        "remove delete drop clear destroy cancel",
        "get find fetch read load lookup retrieve show view exist",
        "list all index browse",
        "update edit change modify set patch rename replace",
        "send notify deliver dispatch",
        "pay charge payment purchase buy checkout",
        "count number total size length",
        "login authenticate signin log",
        "save store persist record",
        "run execute start launch invoke cli command program",
        "check valid validate verify",
        "search filter query match",
        "open display",
        "money amount cent coin cash dollar euro pound price cost balance fund payment",
        "accept approve confirm",
        "decline reject refuse deny",
        "logout signout",
        "export download",
        "import upload",
        "withdraw debit",
        "error fail failure invalid",
    )
)
SUFFIXES = ("ies", "ied", "ing", "ed", "es", "s", "er", "ly")


def stem(word: str) -> str:
    """The word without its suffixes, the same for every form: `registers` loses its `s` and then
    its `er`, as `register` does, so the two meet."""
    once = _stem_once(word.lower())
    return _stem_once(once) if once != word.lower() else once


def _stem_once(word: str) -> str:
    if len(word) <= 3:
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
                base = word[:-1]  # declines → decline, not declin
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiousl":
                base = base[:-1]  # running → run, stopped → stop
            word = base
            break
    # decline, declined, declines → declin
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def words(text: str) -> list[str]:
    """Split identifiers and prose into lowercase words (camelCase and snake_case apart)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w and not w.isdigit()]


IRREGULAR = {
    "sent": "send",
    "paid": "pay",
    "bought": "buy",
    "made": "make",
    "gave": "give",
    "given": "give",
    "got": "get",
    "found": "find",
    "shown": "show",
    "seen": "see",
    "saw": "see",
    "written": "write",
    "wrote": "write",
    "took": "take",
    "taken": "take",
    "left": "leave",
    "held": "hold",
    "kept": "keep",
    "won": "win",
    "lost": "lose",
    "chose": "choose",
    "chosen": "choose",
    "ran": "run",
    "began": "begin",
    "begun": "begin",
    "sold": "sell",
    "logged": "log",
}
NEGATIONS = frozenset(["no", "not", "without", "none", "never", "nobody", "nothing", "empty"])


_SYNONYM_STEMS = tuple((group, frozenset(stem(word) for word in group)) for group in SYNONYMS)


@functools.lru_cache(maxsize=65536)
def concepts_of(token: str) -> frozenset[str]:
    """One word's concepts: its stem, and the synonym groups it belongs to (as "~first-word")."""
    token = IRREGULAR.get(token, token)
    stemmed = stem(token)
    found = {stemmed}
    for group, stems in _SYNONYM_STEMS:
        # Stems on both sides: "approves" (approv) meets "approve" (approv) as "creates" meets "create".
        if token in group or stemmed in stems:
            found.add("~" + min(group))
    return frozenset(found)


def concepts(tokens: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for token in tokens:
        found |= concepts_of(token)
    return found


def step_words(text: str) -> list[str]:
    """The step's own words: quoted values, numbers, <placeholders> and {parameters} left out."""
    text = re.sub(r'"[^"]*"|\'[^\']*\'|<[^>]*>|\{[^}]*\}', " ", text)
    return [w for w in words(text) if w not in STOPWORDS]
