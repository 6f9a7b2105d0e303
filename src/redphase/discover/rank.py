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
from dataclasses import replace

from redphase.discover.model import Callable
from redphase.discover.words import IRREGULAR, NEGATIONS, STOPWORDS, stem, step_words, words
from redphase.discover.words import concepts as _concepts
from redphase.discover.words import concepts_of as _concepts_of
from redphase.frozen import frozen

__all__ = ["Candidate", "bind", "call_expression", "rank", "stem", "step_words", "words"]

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
GENERIC_VERBS = frozenset(
    stem(w) for w in ("run", "execute", "perform", "do", "happen", "process", "handle", "try", "use")
)
GENERIC_NAMES = frozenset(
    ["int", "float", "string", "word", "str", "text", "value", "arg", "expected", "actual", "param", "number"]
)
ROUTE_VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "remove"}
FRAMEWORK_PARAMS = frozenset(
    ["request", "response", "session", "db", "background_tasks", "current_user", "user_agent", "templates"]
)


@frozen
class Candidate:
    callable: Callable
    confidence: float
    why: str
    score: float


@frozen
class _Step:
    """What the ranking reads from one step, worked out once for all the callables."""

    kind: str
    per_token: tuple[tuple[str, frozenset[str], float], ...]
    concepts: frozenset[str]
    methods: frozenset[str]  # HTTP methods the step names in capitals
    flags: bool  # it passes command-line options
    negated: bool  # a Given that arranges an absence
    web: bool  # the system is a web app


def rank(
    text: str, kind: str, callables: Sequence[Callable], limit: int = 5, min_confidence: float = 0.15
) -> list[Candidate]:
    step = _read_step(text, kind, callables)
    if step is None:
        return []
    found = {item: _score(item, step) for item in callables}
    found = _through_entry_points(found, step)
    scored = [
        Candidate(item, round(1.0 - math.exp(-score / 6.0), 2), "; ".join(reasons), score)
        for item, (score, reasons) in found.items()
        if reasons
    ]
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


def _read_step(text: str, kind: str, callables: Sequence[Callable]) -> _Step | None:
    # A step that names an HTTP method in capitals (`I PUT the tool`) speaks HTTP: the method picks
    # the route, and the word is not an English verb to match (PUT replaces, it does not "put").
    methods = frozenset(re.findall(r"\b(GET|POST|PUT|PATCH|DELETE)\b", text))
    # An option's words (`--min-level`) name the command's option, not what the step is about.
    options = set(words(" ".join(re.findall(r"(?<![\w-])--?([A-Za-z][\w-]*)", text))))
    tokens = [t for t in step_words(text) if t.upper() not in methods and t not in options]
    if (not tokens and not methods) or not callables:
        return None
    negated = kind == "given" and bool(NEGATIONS & set(words(text)))
    # "Given no account exists" arranges an absence, not a creation.
    arranges = kind == "given" and not negated
    # A generic verb ("the linter runs") says less than the noun it comes with.
    per_token = [
        (token, _token_concepts(token, arranges), 0.5 if stem(token) in GENERIC_VERBS else 1.0)
        for token in dict.fromkeys(tokens)
    ]
    quoted = [
        w for w in words(" ".join(re.findall(r'"([^"]*)"', text))) if w not in STOPWORDS and w not in tokens
    ]
    per_token += [(token, _concepts_of(token), 0.5) for token in dict.fromkeys(quoted)]
    # A parameter's own name (`{expected_return:d}`, `<email>`) says what the value is, less surely.
    named = [
        w
        for w in words(" ".join(_parameter_names(text)))
        if w not in STOPWORDS and w not in tokens and w not in quoted and w not in GENERIC_NAMES
    ]
    per_token += [(token, _concepts_of(token), 0.5) for token in dict.fromkeys(named)]
    per_token += [(token, _concepts_of(token), 0.5) for token in sorted(options - set(named) - set(quoted))]
    if negated:
        # "Given no account exists" arranges an absence: a removal explains the step's "no".
        per_token.append(("(no)", _concepts_of("remove"), 0.0))
    return _Step(
        kind=kind,
        per_token=tuple(per_token),
        concepts=frozenset(c for _, mine, _ in per_token for c in mine),
        methods=methods,
        # A step that mentions an option (`--min-level`) is using the command line.
        flags=bool(re.search(r"(?<![\w-])--?[A-Za-z]", text)),
        negated=negated,
        web=any(item.kind == "route" for item in callables),
    )


def _score(item: Callable, step: _Step) -> tuple[float, list[str]]:
    """The callable's score for the step and the reasons; no reasons when nothing fits."""
    name_words, fields = _features(item)
    score = 0.0
    reasons: list[str] = []
    used: set[str] = set()
    for label, weight, concepts in fields:
        hit = []
        for token, mine, strength in step.per_token:
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
    method = item.target.split(" ", 1)[0] if item.kind == "route" else ""
    named = method in step.methods
    if not named and (not reasons or (len(reasons) == 1 and reasons[0].startswith("docstring"))):
        return 0.0, []
    # Coverage of the callable's own name: a name the step fully explains fits best.
    if name_words:
        covered = sum(1 for w in name_words if _concepts_of(w) & step.concepts)
        score += 1.5 * covered / len(name_words) - 0.2 * (len(name_words) - covered)
    verb = stem(IRREGULAR.get(name_words[0], name_words[0])) if name_words else ""
    bonus, reason = _phase_fit(step.kind, verb, name_words, item, step.negated)
    score += bonus
    if reason:
        reasons.append(reason)
    if item.via and item.kind == "method":
        score += 0.5
        reasons.append(f"reachable as {item.via}")
    if step.methods and item.kind == "route":
        if named:
            score += 3.0
            reasons.append("the step names its HTTP method")
        else:
            score -= 2.0
    if item.kind == "command" and step.flags:
        score += 1.5
        reasons.append("the step passes command-line options")
    if _is_entry(item, step):
        score += 1.0
        reasons.append("an entry point of the system" if item.kind == "command" else "a route of the web app")
    elif step.web:
        score -= 0.5
    if not item.primary:
        score -= 0.5
    return score, reasons


def _is_entry(item: Callable, step: _Step) -> bool:
    return item.kind == "route" or (item.kind == "command" and not step.web)


def _through_entry_points(
    found: dict[Callable, tuple[float, list[str]]], step: _Step
) -> dict[Callable, tuple[float, list[str]]]:
    """In a web app the test reaches the application through its routes: a route whose handler
    calls the best fit for the step ("joins the lobby" → join_lobby) is how the step makes that
    call, so it scores just above it, even when its own name (`login_submit`) says nothing."""
    if not step.web:
        return found
    best: dict[str, tuple[float, Callable]] = {}
    for item, (score, reasons) in found.items():
        fits = reasons and not _is_entry(item, step) and any(r.startswith("name ") for r in reasons)
        if fits and (item.name not in best or score > best[item.name][0]):
            best[item.name] = (score, item)
    result = dict(found)
    for item, (score, reasons) in found.items():
        if item.kind != "route":
            continue
        reached = [best[name] for name in item.calls if name in best]
        if not reached:
            continue
        callee_score, callee = max(reached, key=lambda pair: pair[0])
        inherited = (
            callee_score
            + 1.0
            + (0.5 if step.methods and item.target.split(" ", 1)[0] in step.methods else 0.0)
            # A route outside the project's own packages stays behind, as it would on its own.
            - (0.0 if item.primary else 0.5)
        )
        if inherited > score:
            result[item] = (inherited, [*reasons, f"its handler calls {callee.target}"])
    return result


@functools.lru_cache(maxsize=65536)
def _features(item: Callable) -> tuple[list[str], tuple[tuple[str, float, frozenset[str]], ...]]:
    """A callable's words by where they come from, each with its weight: worked out once."""
    name_words = words(item.name)
    # A route's HTTP method is part of what it does: POST creates, PUT and PATCH update, DELETE removes.
    method = ROUTE_VERBS.get(item.target.split(" ", 1)[0], "") if item.kind == "route" else ""
    fields = (
        ("name", 3.0, frozenset(_concepts(name_words)) | (_concepts_of(method) if method else set())),
        # A route's path names its resource (`/orders/{order_id}`) as surely as a method's class does.
        ("path", 1.5, frozenset(_concepts(words(item.target.split(" ", 1)[1]))) if method else frozenset()),
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


def _parameter_names(text: str) -> list[str]:
    """The names in a step's `{name}`, `{name:d}` and `<name>` slots (a bare `{int}` names no value)."""
    return [m.group(1) or m.group(2) for m in re.finditer(r"\{(\w+)(?::[^}]*)?\}|<([^>]+)>", text)]


def _token_concepts(token: str, arranges: bool) -> frozenset[str]:
    """A step word's concepts. In a Given, being there is arranged: "an account exists" (or "an
    existing account") is the state a creation brings about, not a lookup to make."""
    if arranges and stem(token) in ("exist", "existing"):
        return frozenset({stem(token)}) | _concepts_of("create")
    return _concepts_of(token)


# The verbs compared with a callable's first word, stemmed as it is (create → creat).
ARRANGE_STEMS = frozenset(stem(verb) for verb in ARRANGE_VERBS)
QUERY_STEMS = frozenset(stem(verb) for verb in QUERY_VERBS)


def _phase_fit(
    kind: str, verb: str, name_words: list[str], item: Callable, negated: bool
) -> tuple[float, str]:
    is_query = verb in QUERY_STEMS or (bool(name_words) and name_words[0] in ("is", "has", "can"))
    if item.kind == "route":
        method = item.target.split(" ", 1)[0]
        is_query = method in ("GET", "HEAD")
    if kind == "then":
        if is_query:
            return 1.0, "Then reads a query"
        # What the system sent out is observed on the fake that replaces the external client: through
        # its port where there is one, else on the adapter's own methods, which the fake mirrors.
        if item.boundary == "port":
            return 1.0, "Then observes a fake through its port"
        if item.boundary == "external":
            return 0.75, "Then observes a fake"
        # Through the web app a Then reads a page; a method may still be a fake's port it observes.
        return (-1.0, "") if item.kind == "route" else (0.0, "")
    if kind == "given":
        if negated:
            removes = bool(name_words) and bool(_concepts_of(name_words[0]) & _concepts_of("remove"))
            if removes:
                return 2.0, "Given arranges an absence"
            return (-1.0, "") if verb in QUERY_STEMS else (0.0, "")
        if verb in ARRANGE_STEMS and item.boundary == "database":
            return 1.0, "Given seeds the isolated store"
        if verb in ARRANGE_STEMS:
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
    called = "" if item.reads else f"({args})"
    if item.kind == "method" and item.via:
        return f"{item.via}.{item.name}{called}"
    if item.kind == "method":
        owner = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", item.owner).lower()
        return f"{owner}.{item.name}{called}"
    return f"{item.target}({args})"
