"""Which parts of the system a step touches, and how the harness treats each one, with the reason why."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from redphase.config import ComponentOverride
from redphase.frozen import frozen
from redphase.plan.memo import Memo

TREATMENT_BY_KIND = {
    "external": "fake",
    "own": "real",
    "database": "isolated",
    "cache": "isolated",
    "queue": "fake",
    "clock": "fake",
}
KIND_LABEL = {
    "external": "external-service",
    "own": "own-service",
    "database": "database",
    "cache": "cache",
    "queue": "queue",
    "clock": "clock",
}

# (component, kind, words). A word matches whole words in the step text, case-insensitively.
DEFAULT_WORDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("email", "external", ("email", "emails", "e-mail", "mail", "mailed", "inbox", "newsletter")),
    ("sms", "external", ("sms", "text message", "phone number")),
    (
        "payments",
        "external",
        (
            "payment",
            "payments",
            "pay",
            "paid",
            "charge",
            "charged",
            "card",
            "refund",
            "refunded",
            "invoice",
            "stripe",
            "paypal",
        ),
    ),
    ("notifications", "external", ("notification", "notifications", "notify", "notified", "push")),
    ("shipping", "external", ("shipping", "shipped", "courier", "delivery", "parcel")),
    ("http_api", "external", ("api", "webhook", "third-party", "endpoint")),
    (
        "database",
        "database",
        (
            "database",
            "db",
            "stored",
            "store",
            "saved",
            "persisted",
            "record",
            "records",
            "recorded",
            "table",
            "row",
            "rows",
        ),
    ),
    ("cache", "cache", ("cache", "cached")),
    (
        "queue",
        "queue",
        ("queue", "queued", "event", "events", "message", "messages", "published", "publish", "topic"),
    ),
    (
        "clock",
        "clock",
        (
            "clock",
            "time",
            "today",
            "tomorrow",
            "yesterday",
            "date",
            "expires",
            "expired",
            "hours",
            "minutes",
            "days",
            "deadline",
        ),
    ),
)


@frozen
class Component:
    name: str
    kind: str
    treatment: str
    reason: str


@frozen
class _Rule:
    name: str
    kind: str
    treatment: str
    words: tuple[str, ...]
    source: str
    pattern: re.Pattern[str]


class ComponentInference:
    def __init__(self, overrides: Sequence[ComponentOverride] = ()) -> None:
        rules: dict[str, _Rule] = {}
        for name, kind, words in DEFAULT_WORDS:
            rules[name] = _rule(name, kind, TREATMENT_BY_KIND[kind], words, "built-in")
        for override in overrides:
            base = rules.get(override.name)
            kind = override.kind or (base.kind if base else "own")
            treatment = override.treatment or TREATMENT_BY_KIND[kind]
            words = override.words or (base.words if base else (override.name.lower(),))
            rules[override.name] = _rule(override.name, kind, treatment, words, "[tool.redphase.components]")
        self._rules = tuple(rules[name] for name in sorted(rules))
        self._first_words = _first_words(self._rules)
        self._seen: Memo[str, list[Component]] = Memo(self._touched_by)

    def touched_by(self, text: str) -> list[Component]:
        return list(self._seen(text))

    def _touched_by(self, text: str) -> list[Component]:
        # Most step texts name no component: one look at their words spares a search per rule.
        if self._first_words is not None and self._first_words.isdisjoint(map(_folded, _WORD.findall(text))):
            return []
        # A configured component claims its words: built-in rules may not match inside them.
        claimed = [
            m.span() for rule in self._rules if rule.source != "built-in" for m in rule.pattern.finditer(text)
        ]
        found = []
        for rule in self._rules:
            if not claimed or rule.source != "built-in":
                match = rule.pattern.search(text)
            else:
                match = next(
                    (
                        m
                        for m in rule.pattern.finditer(text)
                        if not any(a <= m.start() and m.end() <= b for a, b in claimed)
                    ),
                    None,
                )
            if match:
                label = KIND_LABEL[rule.kind]
                why = f"{match.group(0).lower()!r} matched the {label} words"
                if rule.source != "built-in":
                    why += f" from {rule.source}"
                found.append(Component(rule.name, rule.kind, rule.treatment, why))
        return found

    @staticmethod
    def apply_tags(components: Iterable[Component], declarations: Iterable[Component]) -> list[Component]:
        """Apply what `@fake:x`, `@real:x` and `@isolated:x` declared to the components a step touches."""
        by_name = {component.name: component for component in components}
        for declared in declarations:
            if declared.name in by_name:
                by_name[declared.name] = Component(
                    declared.name, by_name[declared.name].kind, declared.treatment, declared.reason
                )
        return [by_name[name] for name in sorted(by_name)]

    @staticmethod
    def declared_by_tags(tags: Iterable[tuple[str, str]]) -> list[Component]:
        """Components named by `@fake:x`-style tags; `tags` holds (tag, where) pairs."""
        declared = {}
        for tag, where in tags:
            treatment, _, name = tag.partition(":")
            if treatment in ("fake", "real", "isolated") and name:
                kind = "own" if treatment == "real" else "external"
                declared[name] = Component(name, kind, treatment, f"tag @{tag} at {where}")
        return list(declared.values())


_WORD = re.compile(r"\w+")
# The two letters that a case-insensitive regex takes for an ASCII "i" and casefold() does not.
_DOTTED_I = str.maketrans({"\u0131": "i", "\u0130": "i"})


def _folded(word: str) -> str:
    """`word` as a rule's ASCII word must read to match it case-insensitively. Every character
    that re.IGNORECASE matches to an ASCII letter folds to that letter (the Kelvin sign, the long
    s and both dotted i's included); other characters may fold to ASCII too, which only means a
    search that finds nothing."""
    return word.translate(_DOTTED_I).casefold()


def _first_words(rules: Sequence[_Rule]) -> frozenset[str] | None:
    """The first whole word of every rule's words, folded: a text that has none of them among its
    words matches no rule. None when that does not hold: a word that is not ASCII, or that does not
    start with a word character."""
    firsts = set()
    for rule in rules:
        for word in rule.words:
            first = _WORD.match(word)
            if first is None or not word.isascii():
                return None
            firsts.add(first.group().lower())
    return frozenset(firsts)


def _rule(name: str, kind: str, treatment: str, words: Sequence[str], source: str) -> _Rule:
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return _Rule(name, kind, treatment, tuple(words), source, pattern)
