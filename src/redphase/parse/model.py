"""A typed model over the gherkin-official AST. Later stages never see the raw dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from redphase.frozen import frozen

StepKind = Literal["given", "when", "then"]
KeywordType = Literal["Context", "Action", "Outcome", "Conjunction", "Unknown"]

KIND_BY_KEYWORD_TYPE: dict[str, StepKind] = {"Context": "given", "Action": "when", "Outcome": "then"}


@frozen
class Location:
    line: int
    column: int


@frozen
class Tag:
    name: str  # without the leading "@"
    location: Location


@frozen
class DataTable:
    rows: tuple[tuple[str, ...], ...]
    location: Location


@frozen
class DocString:
    content: str
    media_type: str
    location: Location


@frozen
class Step:
    keyword: str
    keyword_type: KeywordType
    # The type pytest-bdd gives the step: conjunctions inherit the step before them.
    kind: StepKind
    text: str
    location: Location
    data_table: DataTable | None = None
    doc_string: DocString | None = None

    @property
    def is_conjunction(self) -> bool:
        return self.keyword_type not in KIND_BY_KEYWORD_TYPE


@frozen
class Examples:
    keyword: str
    name: str
    tags: tuple[Tag, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    location: Location


@frozen
class Background:
    keyword: str
    name: str
    steps: tuple[Step, ...]
    location: Location


@frozen
class Scenario:
    keyword: str
    name: str
    description: str
    tags: tuple[Tag, ...]
    steps: tuple[Step, ...]
    examples: tuple[Examples, ...]
    location: Location
    # The backgrounds that run before this scenario, outermost first.
    backgrounds: tuple[Background, ...] = ()
    rule_name: str | None = None
    rule_tags: tuple[Tag, ...] = ()

    @property
    def all_steps(self) -> tuple[Step, ...]:
        return tuple(step for background in self.backgrounds for step in background.steps) + self.steps

    @property
    def has_outcome(self) -> bool:
        return any(step.kind == "then" for step in self.steps)


@frozen
class Rule:
    keyword: str
    name: str
    description: str
    tags: tuple[Tag, ...]
    background: Background | None
    scenarios: tuple[Scenario, ...]
    location: Location


@frozen
class Feature:
    keyword: str
    name: str
    description: str
    language: str
    tags: tuple[Tag, ...]
    background: Background | None
    rules: tuple[Rule, ...]
    # Every scenario in file order, those inside rules included.
    scenarios: tuple[Scenario, ...]
    location: Location


@frozen
class FeatureFile:
    path: Path
    # The path as the user should see it in messages, relative to the project where possible.
    display: str
    source: str
    feature: Feature | None
    # The file starts with a UTF-8 byte order mark, which `source` no longer holds.
    bom: bool = False
