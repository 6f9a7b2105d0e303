"""Rank the application's callables for one step: its words against names, parameters and docstrings.

Words are split (snake_case, camelCase), lowercased and stemmed; a few general synonyms join words
that mean the same action. The phase weighs in: Given arranges state (add, create, save, remove...),
When calls a command, Then reads a query (get, find, list, count...) or observes a fake.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from redphase.discover.model import Callable

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
        "update edit change modify set patch rename",
        "send notify deliver dispatch",
        "pay charge payment purchase buy checkout",
        "count number total size length",
        "login authenticate signin log",
        "save store persist record",
        "run execute start launch invoke cli command program",
        "check valid validate verify",
        "search filter query match",
        "open display",
    )
)
ARRANGE_VERBS = frozenset(
    [
        "add",
        "create",
        "insert",
        "register",
        "save",
        "store",
        "put",
        "set",
        "seed",
        "remove",
        "delete",
        "clear",
        "load",
        "make",
        "new",
    ]
)
QUERY_VERBS = frozenset(
    [
        "get",
        "find",
        "list",
        "count",
        "is",
        "has",
        "exist",
        "read",
        "fetch",
        "load",
        "lookup",
        "search",
        "show",
        "view",
        "all",
        "total",
        "check",
    ]
)
FRAMEWORK_PARAMS = frozenset(
    ["request", "response", "session", "db", "background_tasks", "current_user", "user_agent", "templates"]
)
SUFFIXES = ("ies", "ied", "ing", "ed", "es", "s", "er", "ly")


def stem(word: str) -> str:
    word = word.lower()
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


@functools.lru_cache(maxsize=65536)
def _concepts_of(token: str) -> frozenset[str]:
    """One word's concepts: its stem, and the synonym groups it belongs to (as "~first-word")."""
    token = IRREGULAR.get(token, token)
    stemmed = stem(token)
    found = {stemmed}
    for group in SYNONYMS:
        if token in group or stemmed in group:
            found.add("~" + min(group))
    return frozenset(found)


def _concepts(tokens: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for token in tokens:
        found |= _concepts_of(token)
    return found


def step_words(text: str) -> list[str]:
    """The step's own words: quoted values, numbers, <placeholders> and {parameters} left out."""
    text = re.sub(r'"[^"]*"|\'[^\']*\'|<[^>]*>|\{[^}]*\}', " ", text)
    return [w for w in words(text) if w not in STOPWORDS]


@dataclass(frozen=True)
class Candidate:
    callable: Callable
    confidence: float
    why: str
    score: float


def rank(
    text: str, kind: str, callables: Sequence[Callable], limit: int = 5, min_confidence: float = 0.15
) -> list[Candidate]:
    tokens = step_words(text)
    if not tokens or not callables:
        return []
    per_token = [(token, _concepts_of(token), 1.0) for token in dict.fromkeys(tokens)]
    quoted = [
        w for w in words(" ".join(re.findall(r'"([^"]*)"', text))) if w not in STOPWORDS and w not in tokens
    ]
    per_token += [(token, _concepts_of(token), 0.5) for token in dict.fromkeys(quoted)]
    web = any(item.kind == "route" for item in callables)
    # A step that mentions an option (`--min-level`) is using the command line.
    flags = bool(re.search(r"(?<![\w-])--?[A-Za-z]", text))
    negated = kind == "given" and bool(NEGATIONS & set(words(text)))
    if negated:
        # "Given no account exists" arranges an absence: a removal explains the step's "no".
        per_token.append(("(no)", _concepts_of("remove"), 0.0))
    scored: list[Candidate] = []
    for item in callables:
        name_words, fields = _features(item)
        score = 0.0
        reasons = []
        used: set[str] = set()
        for label, weight, concepts in fields:
            hit = []
            for token, mine, strength in per_token:
                if token in used or not strength:
                    continue
                common = mine & concepts
                if not common:
                    continue
                used.add(token)
                exact = any(not c.startswith("~") for c in common)
                score += weight * strength * (1.0 if exact else 0.7)
                hit.append(token)
            if hit:
                reasons.append(f"{label} {', '.join(hit)}")
        if not reasons or (len(reasons) == 1 and reasons[0].startswith("docstring")):
            continue
        # Coverage of the callable's own name: a name the step fully explains fits best.
        if name_words:
            step_concepts = {c for _, mine, _ in per_token for c in mine}
            covered = sum(1 for w in name_words if _concepts_of(w) & step_concepts)
            score += 1.5 * covered / len(name_words) - 0.2 * (len(name_words) - covered)
        verb = stem(IRREGULAR.get(name_words[0], name_words[0])) if name_words else ""
        bonus, reason = _phase_fit(kind, verb, name_words, item, negated)
        score += bonus
        if reason:
            reasons.append(reason)
        if item.via and item.kind == "method":
            score += 0.5
            reasons.append(f"reachable as {item.via}")
        if item.kind == "command" and flags:
            score += 1.5
            reasons.append("the step passes command-line options")
        if item.kind == "route" or (item.kind == "command" and not web):
            score += 1.0
            reasons.append(
                "an entry point of the system" if item.kind == "command" else "a route of the web app"
            )
        elif web:
            score -= 0.5
        if not item.primary:
            score -= 0.5
        confidence = round(1.0 - math.exp(-score / 6.0), 2)
        scored.append(Candidate(item, confidence, "; ".join(reasons), score))
    scored.sort(key=lambda c: (-c.score, len(c.callable.params), c.callable.target))
    if len(scored) > 1 and scored[1].score >= scored[0].score - 0.01:
        # A clear winner is more certain than one of several near-equals.
        best = scored[0]
        scored[0] = Candidate(
            best.callable, round(best.confidence * 0.8, 2), best.why + "; tied with the next", best.score
        )
    ordered: list[Candidate] = []
    for candidate in scored:
        if ordered and candidate.confidence > ordered[-1].confidence:
            # Best first means the confidence never rises down the list.
            candidate = Candidate(candidate.callable, ordered[-1].confidence, candidate.why, candidate.score)
        ordered.append(candidate)
    return [c for c in ordered if c.confidence >= min_confidence][:limit]


@functools.lru_cache(maxsize=65536)
def _features(item: Callable) -> tuple[list[str], tuple[tuple[str, float, frozenset[str]], ...]]:
    """A callable's words by where they come from, each with its weight: worked out once."""
    name_words = words(item.name)
    fields = (
        ("name", 3.0, frozenset(_concepts(name_words))),
        (
            "class/module",
            1.5,
            frozenset(
                _concepts(words(item.owner))
                | _concepts(words(item.module.rpartition(".")[2]))
                # A command is run by the program's name, which is usually its package's.
                | (_concepts(words(item.module.split(".")[0])) if item.kind == "command" else set())
            ),
        ),
        ("parameters", 1.0, frozenset(_concepts([w for p in item.params for w in words(p)]))),
        ("docstring", 0.5, frozenset(_concepts([w for w in words(item.doc) if w not in STOPWORDS][:40]))),
    )
    return name_words, fields


def _phase_fit(
    kind: str, verb: str, name_words: list[str], item: Callable, negated: bool
) -> tuple[float, str]:
    is_query = verb in QUERY_VERBS or (bool(name_words) and name_words[0] in ("is", "has", "can"))
    if item.kind == "route":
        method = item.target.split(" ", 1)[0]
        is_query = method in ("GET", "HEAD")
    if kind == "then":
        if is_query:
            return 1.0, "Then reads a query"
        # Through the web app a Then reads a page; a method may still be a fake's port it observes.
        return (-1.0, "") if item.kind == "route" else (0.0, "")
    if kind == "given":
        if negated:
            removes = bool(_concepts_of(verb) & _concepts_of("remove"))
            if removes:
                return 2.0, "Given arranges an absence"
            return (-1.0, "") if verb in QUERY_VERBS else (0.0, "")
        if verb in ARRANGE_VERBS:
            return 0.75, "Given arranges state"
        return (0.0, "") if is_query else (0.25, "")
    if kind == "when":
        return (0.75, "When calls a command") if not is_query else (0.0, "")
    return 0.0, ""


def _neighbours(pattern: str) -> list[set[str]]:
    """For each parameter slot of a pattern ({type} or <column>), the stems of the words around it."""
    chunks = re.split(r"\{[^}]*\}|<[^>]+>", pattern)
    around = []
    for before, after in itertools.pairwise(chunks):
        near = words(before)[-1:] + words(after)[:1]
        around.append({stem(word) for word in near})
    return around


def bind(item: Callable, step_params: Sequence[tuple[str, str]], pattern: str) -> str:
    """The call's arguments. Each callable parameter takes the step parameter next to its name in
    the step (`email {string}` → email), else the one named like it, else the next one in order."""
    names = list(item.params)
    slots = [name for name, _ in step_params]
    around = _neighbours(pattern)
    bound: dict[str, str] = {}
    free = list(slots)
    for param in names:
        mine = {stem(word) for word in words(param)}
        for index, slot in enumerate(slots):
            if slot in free and index < len(around) and mine & around[index]:
                bound[param] = slot
                free.remove(slot)
                break
    for param in names:
        if param not in bound and param in free:
            bound[param] = param
            free.remove(param)
    # A value the callable's own name describes ("an audit event {string}" for audit_events) is
    # what it returns, not what it takes: the other values go to its remaining parameters first.
    named = {stem(word) for word in words(item.name)}
    free.sort(
        key=lambda slot: bool(around[slots.index(slot)] & named) if slots.index(slot) < len(around) else False
    )
    for param in names:
        if param not in bound and free:
            bound[param] = free.pop(0)
    return ", ".join(f"{param}={bound[param]}" for param in names if param in bound)


def call_expression(item: Callable, step_params: Sequence[tuple[str, str]], pattern: str) -> str:
    args = bind(item, step_params, pattern)
    if item.kind == "route":
        method, path = item.target.split(" ", 1)
        # The view's own parameters name the fields, less what the framework injects.
        fields = tuple(p for p in item.params if p not in FRAMEWORK_PARAMS and "{" + p + "}" not in path)
        pairs = [
            pair.split("=", 1)
            for pair in bind(replace(item, params=fields), step_params, pattern).split(", ")
            if pair
        ]
        if not fields:
            pairs = [[name, name] for name, _ in step_params]
        payload = (
            f", json={{{', '.join(f'{key!r}: {value}' for key, value in pairs)}}}"
            if pairs and method != "GET"
            else ""
        )
        return f"system.client.{method.lower()}({path!r}{payload})"
    if item.kind == "command":
        line = " ".join("{" + name + "}" for name, _ in step_params)
        return (
            f"system.cli.invoke({item.target}, f{line!r}.split())"
            if line
            else f"system.cli.invoke({item.target}, [])"
        )
    if item.kind == "method" and item.via:
        return f"{item.via}.{item.name}({args})"
    if item.kind == "method":
        owner = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", item.owner).lower()
        return f"{owner}.{item.name}({args})"
    return f"{item.target}({args})"
