"""Write a synthetic, deterministic corpus of feature files: `python benchmarks/generate_corpus.py DIR [N]`.

Every file is valid Gherkin with a mix of what real suites hold: backgrounds, rules, outlines with
several Examples blocks, data tables, doc strings, tags, typed parameters and shared steps.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

NOUNS = [
    "order",
    "invoice",
    "customer",
    "basket",
    "voucher",
    "refund",
    "account",
    "parcel",
    "report",
    "ticket",
]
VERBS = ["creates", "updates", "cancels", "approves", "ships", "archives", "exports", "imports", "reviews"]


def feature_text(index: int, scenarios: int, rng: random.Random) -> str:
    noun = NOUNS[index % len(NOUNS)]
    lines = [
        f"@area{index % 7}",
        f"Feature: Managing {noun}s {index}",
        f"  Team {index} manages {noun}s.",
        "",
    ]
    lines += ["  Background:", f'    Given a signed-in user "user{index}@example.com"', ""]
    for number in range(scenarios):
        verb = rng.choice(VERBS)
        kind = number % 4
        if kind == 0:
            lines += [
                f"  @smoke{number % 3}",
                f"  Scenario: The user {verb} {noun} {number}",
                f"    Given {rng.randint(1, 99)} {noun}s exist",
                f'    When the user {verb} the {noun} "{noun}-{number}"',
                f"    Then the {noun} total is {rng.randint(1, 999)}.{rng.randint(0, 99):02d}",
                "",
            ]
        elif kind == 1:
            lines += [
                f"  Scenario Outline: Bulk {verb} {number}",
                f"    Given <count> {noun}s exist",
                f"    When the user {verb} <count> {noun}s",
                f"    Then <count> {noun}s are {verb} for <owner>",
                "    Examples: small",
                "      | count | owner |",
                "      | 1     | ann   |",
                "      | 2     | bob   |",
                "    Examples: large",
                "      | count | owner |",
                "      | 100   | cy    |",
                "",
            ]
        elif kind == 2:
            lines += [
                f"  Scenario: Import {noun}s {number}",
                f"    Given the {noun} file:",
                '      """json',
                f'      {{"id": {number}, "name": "{noun}"}}',
                '      """',
                f"    When the user imports these {noun}s:",
                "      | id | name |",
                f"      | {number} | {noun} {number} |",
                f'    Then an email is sent to "ops{number}@example.com"',
                "",
            ]
        else:
            lines += [
                f"  Rule: Limits {number}",
                "    Background:",
                f"      Given the limit is {rng.randint(1, 9)}",
                f"    Scenario: Over the limit {number}",
                f"      When the user {verb} {rng.randint(10, 20)} {noun}s",
                "      Then the request is rejected",
                "",
            ]
    return "\n".join(lines) + "\n"


# Real suites are mostly steps of their own, phrased by people: "I", "the" and "a" open most of them,
# so a first word says little about which definition a text needs.
SUBJECTS = ["I", "the user", "the admin", "a visitor", "the system", "the customer", "we"]
ACTIONS = [
    "open",
    "click",
    "fill in",
    "select",
    "submit",
    "upload",
    "delete",
    "search for",
    "sort by",
    "filter by",
    "log in as",
    "navigate to",
    "press",
    "scroll to",
    "drag",
    "confirm",
    "cancel",
]
THINGS = [
    "login page",
    "dashboard",
    "settings panel",
    "search box",
    "cart",
    "checkout form",
    "profile page",
    "report view",
    "export dialog",
    "admin console",
    "inbox",
    "calendar",
    "product list",
    "order history",
    "help centre",
    "billing page",
    "team page",
    "audit log",
]
CHECKS = [
    "should see",
    "should not see",
    "should be redirected to",
    "should receive",
    "should have",
    "is shown",
    "is hidden",
    "contains",
    "is updated to",
    "is sorted by",
]


def real_like_feature_text(index: int, scenarios: int, rng: random.Random) -> str:
    """A feature whose steps are mostly its own, as in real suites: few texts recur across files."""
    area = THINGS[index % len(THINGS)]
    lines = [f"Feature: The {area} {index}", f"  As a user of the {area} I want things to work.", ""]
    if index % 3 == 0:
        lines += ["  Background:", f"    Given I am on the {area}", ""]
    for number in range(scenarios):
        subject = rng.choice(SUBJECTS)
        action, thing = rng.choice(ACTIONS), rng.choice(THINGS)
        check = rng.choice(CHECKS)
        unique = f"{thing} {index}-{number}"
        if number % 5 == 4:
            lines += [
                f"  Scenario Outline: {action} many {number}",
                f"    Given {subject} has <count> items in the {unique}",
                f"    When {subject} {action} the {thing} <count> times",
                f"    Then {subject} {check} <count> entries in the {thing}",
                "    Examples:",
                "      | count |",
                f"      | {rng.randint(1, 9)} |",
                f"      | {rng.randint(10, 99)} |",
                "",
            ]
            continue
        lines += [
            f"  Scenario: {subject} {action} the {thing} {number}",
            f"    Given {subject} is on the {unique} page",
            f'    And the {thing} has the title "{thing.title()} {number}"',
            f"    When {subject} {action} the {unique}",
            f"    Then {subject} {check} the {unique}",
            f"    And the {thing} shows {rng.randint(1, 500)} results",
            "",
        ]
    return "\n".join(lines) + "\n"


def write_corpus(
    target: Path, count: int, scenarios: int = 8, seed: int = 20261121, *, real_like: bool = False
) -> list[Path]:
    """`count` features under `target`; `real_like` writes mostly unique steps (see real_like_feature_text)."""
    rng = random.Random(seed)
    text = real_like_feature_text if real_like else feature_text
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = target / f"area_{index % 10}" / f"feature_{index:04d}.feature"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text(index, scenarios, rng), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    real_like = "--real-like" in sys.argv[3:]
    print(f"wrote {len(write_corpus(target, count, real_like=real_like))} features to {target}")
