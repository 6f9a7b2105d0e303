"""A step parameter's name, from the words of the step around it."""

from __future__ import annotations

import builtins
import re
from typing import Literal

from redphase.identifiers import identifier, shorten

ParamType = Literal["int", "float", "string", "text"]

# Cucumber calls them int, float and string; as Python names those would shadow builtins.
PYTHON_NAME: dict[ParamType, str] = {"int": "number", "float": "decimal", "string": "text", "text": "value"}
# pytest-bdd reserves two argument names, and every step already receives the `system` fixture.
RESERVED = frozenset(
    {"datatable", "docstring", "system", "request", "expected", "observed", "touches", "step"}
)
# A parameter named like a builtin would shadow it in the step function (ruff's A002).
_BUILTIN_NAMES = frozenset(dir(builtins))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words between a value and the noun that names it: "the total is {int}", "a balance of {int}".
_LINKING = _words("is are was were be been should must will would shall can equals of")
_PRONOUNS = _words("i we you he she they it")
# Words that never name a value: articles, prepositions, conjunctions, pronouns, auxiliaries.
_NOT_A_NAME = (
    _LINKING
    | _PRONOUNS
    | _words(
        """a an the this that these those some any each every all no not and or but nor so if then
        than to in on at by for from with without into onto upon about as via per over under after
        before between within being am has have had do does did could may might me my us our your
        him his her its them their there here who whom which what when where why how equal contains
        contain called named gets get got sees see says say said"""
    )
)
_WORD = re.compile(r"[^\W\d_][\w]*", re.UNICODE)


def word_name(before: str, after: str, kind: ParamType, english: bool = True) -> str:
    """A parameter's name from the step's own words: the noun before it (`email {string}` → email,
    `the total is {int}` → total), for a number first the unit after it (`{int} cucumbers` →
    cucumbers), and the type's name (`text`, `number`) only when no word fits."""
    preceding = _WORD.findall(before)
    skipped = 0
    while preceding and preceding[-1].lower() in _LINKING and skipped < 2:
        preceding.pop()
        skipped += 1
    candidates = []
    # After a pronoun the word is a verb ("I enter {string}"), which names no value; so is a word
    # that takes the value as its object in the third person or as a participle ("pays {float}",
    # "priced {float}").
    beside = preceding[-1].lower() if preceding else ""
    after_pronoun = len(preceding) > 1 and preceding[-2].lower() in _PRONOUNS
    if english and beside and not after_pronoun and (skipped or not _verb_form(beside)):
        candidates.append(preceding[-1])
    following = _WORD.findall(after)[:1]
    if kind in ("int", "float") and following and after[:1].isspace():
        candidates.insert(0, following[0])
    for word in candidates:
        name = identifier(word, fallback="_")
        if word.lower() in _NOT_A_NAME or name in RESERVED or name in _BUILTIN_NAMES:
            continue
        if name.isidentifier() and not name.startswith("_") and not name.endswith("_"):
            return shorten(name, 40)
    return PYTHON_NAME[kind]


def _verb_form(word: str) -> bool:
    third_person = word.endswith("s") and not word.endswith(("ss", "us", "is"))
    return third_person or (word.endswith("ed") and len(word) > 4)
