"""Read one `.feature` file with gherkin-official and convert its AST into the typed model."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from redphase.diagnostics import Diagnostic
from redphase.parse.model import (
    KIND_BY_KEYWORD_TYPE,
    Background,
    DataTable,
    DocString,
    Examples,
    Feature,
    FeatureFile,
    KeywordType,
    Location,
    Rule,
    Scenario,
    Step,
    StepKind,
    Tag,
)

_LOCATION_PREFIX = re.compile(r"^\(\d+:\d+\): ")
Node = Mapping[str, Any]


def read_feature(path: Path, display: str) -> FeatureFile | list[Diagnostic]:
    """Parse `path`; on failure return every parser error as `display:line:column` diagnostics."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [Diagnostic(display, 1, 1, f"cannot read file: {error.strerror or error}")]
    try:
        # pytest-bdd opens feature files as UTF-8, so anything else would fail later at collection.
        source = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return [Diagnostic(display, line, column, "file is not valid UTF-8; save it as UTF-8")]
    bom = source.startswith("\ufeff")
    parsed = parse_source(source.removeprefix("\ufeff"), path, display)
    if bom and not isinstance(parsed, list):
        return FeatureFile(parsed.path, parsed.display, parsed.source, parsed.feature, bom=True)
    return parsed


def parse_source(source: str, path: Path, display: str) -> FeatureFile | list[Diagnostic]:
    from gherkin.errors import CompositeParserException, ParserException

    from redphase.parse.fast_parser import TableParser

    try:
        document = TableParser().parse(source)
    except CompositeParserException as composite:
        return [_diagnostic(display, error) for error in composite.errors]
    except ParserException as error:
        return [_diagnostic(display, error)]
    raw_feature = document.get("feature")
    feature = _feature(raw_feature) if raw_feature else None
    return FeatureFile(path=path, display=display, source=source, feature=feature)


def _diagnostic(display: str, error: Any) -> Diagnostic:
    location = error.location or {}
    message = _LOCATION_PREFIX.sub("", str(error))
    # Gherkin reports end-of-file errors at column 0; editors count columns from 1.
    return Diagnostic(
        display, int(location.get("line") or 1), max(1, int(location.get("column") or 1)), message
    )


def _location(node: Node) -> Location:
    location = node["location"]
    return Location(int(location["line"]), int(location.get("column", 1)))


def _tags(node: Node) -> tuple[Tag, ...]:
    return tuple(Tag(tag["name"].removeprefix("@"), _location(tag)) for tag in node.get("tags", ()))


def _steps(raw_steps: Sequence[Node], inherited: StepKind) -> tuple[Step, ...]:
    steps = []
    kind = inherited
    for raw in raw_steps:
        keyword_type = cast(KeywordType, raw.get("keywordType", "Unknown"))
        kind = KIND_BY_KEYWORD_TYPE.get(keyword_type, kind)
        table = raw.get("dataTable")
        doc = raw.get("docString")
        steps.append(
            Step(
                keyword=raw["keyword"],
                keyword_type=keyword_type,
                kind=kind,
                text=raw["text"],
                location=_location(raw),
                data_table=DataTable(_rows(table["rows"]), _location(table)) if table else None,
                doc_string=DocString(doc["content"], doc.get("mediaType") or "", _location(doc))
                if doc
                else None,
            )
        )
    return tuple(steps)


def _rows(raw_rows: Sequence[Node]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(cell["value"] for cell in row["cells"]) for row in raw_rows)


def _background(raw: Node, inherited: StepKind) -> Background:
    return Background(
        raw["keyword"], raw.get("name", ""), _steps(raw.get("steps", ()), inherited), _location(raw)
    )


def _last_kind(backgrounds: Sequence[Background]) -> StepKind:
    kinds = [step.kind for background in backgrounds for step in background.steps]
    return kinds[-1] if kinds else "given"


def _scenario(
    raw: Node,
    backgrounds: tuple[Background, ...],
    rule_name: str | None = None,
    rule_tags: tuple[Tag, ...] = (),
) -> Scenario:
    examples = tuple(
        Examples(
            keyword=block["keyword"],
            name=block.get("name", ""),
            tags=_tags(block),
            header=tuple(cell["value"] for cell in block["tableHeader"]["cells"])
            if block.get("tableHeader")
            else (),
            rows=_rows(block.get("tableBody") or ()),
            location=_location(block),
        )
        for block in raw.get("examples", ())
    )
    return Scenario(
        keyword=raw["keyword"],
        name=raw.get("name", ""),
        description=raw.get("description", ""),
        tags=_tags(raw),
        steps=_steps(raw.get("steps", ()), _last_kind(backgrounds)),
        examples=examples,
        location=_location(raw),
        backgrounds=backgrounds,
        rule_name=rule_name,
        rule_tags=rule_tags,
    )


def _feature(raw: Node) -> Feature:
    background: Background | None = None
    rules: list[Rule] = []
    scenarios: list[Scenario] = []
    for child in raw.get("children", ()):
        if "background" in child:
            background = _background(child["background"], "given")
        elif "scenario" in child:
            scenarios.append(_scenario(child["scenario"], (background,) if background else ()))
        elif "rule" in child:
            rule = _rule(child["rule"], background)
            rules.append(rule)
            scenarios.extend(rule.scenarios)
    return Feature(
        keyword=raw["keyword"],
        name=raw.get("name", ""),
        description=raw.get("description", ""),
        language=raw.get("language", "en"),
        tags=_tags(raw),
        background=background,
        rules=tuple(rules),
        scenarios=tuple(scenarios),
        location=_location(raw),
    )


def _rule(raw: Node, feature_background: Background | None) -> Rule:
    outer = (feature_background,) if feature_background else ()
    background: Background | None = None
    scenarios: list[Scenario] = []
    tags = _tags(raw)
    for child in raw.get("children", ()):
        if "background" in child:
            background = _background(child["background"], _last_kind(outer))
        elif "scenario" in child:
            chain = (*outer, background) if background else outer
            scenarios.append(_scenario(child["scenario"], chain, raw.get("name", ""), tags))
    return Rule(
        raw["keyword"],
        raw.get("name", ""),
        raw.get("description", ""),
        tags,
        background,
        tuple(scenarios),
        _location(raw),
    )
