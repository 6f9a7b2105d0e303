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


def write_corpus(target: Path, count: int, scenarios: int = 8, seed: int = 20261121) -> list[Path]:
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = target / f"area_{index % 10}" / f"feature_{index:04d}.feature"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feature_text(index, scenarios, rng), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    print(f"wrote {len(write_corpus(target, count))} features to {target}")
