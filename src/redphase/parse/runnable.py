"""What pytest-bdd cannot run, found at scaffold time, and a runnable copy where one can be made.

pytest-bdd rejects some legal Gherkin when it collects: a scenario or background whose first step is
`And`/`But`/`*`, and it keeps only the last of several scenarios with the same name. We never touch
the person's feature file. Instead we write a copy in which only those tokens differ, on the same
lines, and bind the tests to that copy, by the names the copy gives its scenarios.
"""

from __future__ import annotations

from collections import Counter

from redphase.diagnostics import Diagnostic, Severity
from redphase.frozen import frozen
from redphase.parse.model import Feature, FeatureFile, Scenario, StepKind, Tag
from redphase.parse.reader import parse_source
from redphase.parse.tags import marker_name


@frozen
class _Edit:
    line: int  # 1-based
    column: int  # 1-based, where the replaced text starts
    old: str
    new: str


@frozen
class Compatibility:
    diagnostics: tuple[Diagnostic, ...]
    # The source pytest-bdd should read instead of the person's file, when one is needed.
    runnable_source: str | None
    # The name pytest-bdd binds each scenario by, in the copy when there is one.
    bound_names: tuple[str, ...] = ()


def check(file: FeatureFile) -> Compatibility:
    feature = file.feature
    if feature is None:
        note = Diagnostic(
            file.display,
            1,
            1,
            "file has no Feature, so there is nothing to scaffold",
            Severity.NOTE,
            fix="add a `Feature:` line and at least one Scenario",
        )
        return Compatibility((note,), None)
    diagnostics: list[Diagnostic] = []
    edits: list[_Edit] = []
    if not feature.scenarios:
        diagnostics.append(
            Diagnostic(
                file.display,
                feature.location.line,
                feature.location.column,
                "Feature has no scenarios, so there is nothing to scaffold",
                Severity.NOTE,
                fix="add a Scenario with Given/When/Then steps",
            )
        )
    _leading_conjunctions(file, feature, diagnostics, edits)
    _duplicate_names(file, feature, diagnostics, edits)
    _example_tags(file, feature, diagnostics, edits)
    _empty_examples(file, feature, diagnostics)
    without_outcome = [scenario for scenario in feature.scenarios if not scenario.has_outcome]
    if without_outcome:
        first = without_outcome[0].location
        lines = ", ".join(str(scenario.location.line) for scenario in without_outcome)
        diagnostics.append(
            Diagnostic(
                file.display,
                first.line,
                first.column,
                f"{len(without_outcome)} of {len(feature.scenarios)} scenarios have no Then step, so nothing is asserted "
                f"(verdict: no-outcome); scenario lines: {lines}",
                Severity.NOTE,
                fix="add a Then step that states the business outcome",
            )
        )
    if file.bom:
        diagnostics.append(
            Diagnostic(
                file.display,
                1,
                1,
                "the file starts with a UTF-8 byte order mark, which pytest-bdd reads as text and cannot parse; "
                "redphase binds the tests to a runnable copy without it",
                Severity.WARNING,
                fix="save the file as UTF-8 without a byte order mark",
            )
        )
    if not edits and not file.bom:
        return Compatibility(tuple(diagnostics), None, tuple(scenario.name for scenario in feature.scenarios))
    source = _apply(file, edits)
    return Compatibility(tuple(diagnostics), source, _bound_names(file, feature, source))


def _bound_names(file: FeatureFile, feature: Feature, runnable_source: str) -> tuple[str, ...]:
    copy = parse_source(runnable_source, file.path, file.display)
    if (
        isinstance(copy, list)
        or copy.feature is None
        or len(copy.feature.scenarios) != len(feature.scenarios)
    ):
        raise AssertionError(f"{file.display}: the runnable copy no longer parses the same way")
    return tuple(scenario.name for scenario in copy.feature.scenarios)


def _leading_conjunctions(
    file: FeatureFile, feature: Feature, out: list[Diagnostic], edits: list[_Edit]
) -> None:
    seen: set[tuple[int, int]] = set()
    blocks = [background.steps for scenario in feature.scenarios for background in scenario.backgrounds]
    blocks += [scenario.steps for scenario in feature.scenarios]
    if feature.background:
        blocks.append(feature.background.steps)
    for steps in blocks:
        if not steps or not steps[0].is_conjunction:
            continue
        first = steps[0]
        key = (first.location.line, first.location.column)
        if key in seen:
            continue
        seen.add(key)
        keyword = _keyword_for(feature.language, first.kind)
        edits.append(_Edit(first.location.line, first.location.column, first.keyword, keyword))
        out.append(
            Diagnostic(
                file.display,
                first.location.line,
                first.location.column,
                f"the first step starts with {first.keyword.strip()!r}, which pytest-bdd rejects; "
                f"redphase binds the tests to a runnable copy that reads {keyword.strip()!r} here",
                Severity.WARNING,
                fix=f"write {keyword.strip()!r} instead of {first.keyword.strip()!r}",
            )
        )


def _duplicate_names(file: FeatureFile, feature: Feature, out: list[Diagnostic], edits: list[_Edit]) -> None:
    counts = Counter(scenario.name for scenario in feature.scenarios)
    taken = set(counts)
    seen: set[str] = set()
    for scenario in feature.scenarios:
        if scenario.name not in seen:
            seen.add(scenario.name)
            continue
        new_name = _unused_name(scenario, taken)
        taken.add(new_name)
        old_header = f"{scenario.keyword}:"
        line_text = file.source.splitlines()[scenario.location.line - 1]
        start = scenario.location.column - 1
        old = line_text[start:].rstrip("\r\n")
        edits.append(_Edit(scenario.location.line, scenario.location.column, old, f"{old_header} {new_name}"))
        out.append(
            Diagnostic(
                file.display,
                scenario.location.line,
                scenario.location.column,
                f"another scenario in this feature is also named {scenario.name!r}; pytest-bdd would keep only the last. "
                f"redphase binds this one as {new_name!r} in a runnable copy",
                Severity.WARNING,
                fix="give every scenario in a feature its own name",
            )
        )


def _unused_name(scenario: Scenario, taken: set[str]) -> str:
    base = f"{scenario.name} (line {scenario.location.line})".strip()
    name, counter = base, 2
    while name in taken:
        name, counter = f"{base} {counter}", counter + 1
    return name


def _example_tags(file: FeatureFile, feature: Feature, out: list[Diagnostic], edits: list[_Edit]) -> None:
    # pytest-bdd applies Examples tags as raw marker names, bypassing the tag hook our conftest provides.
    for scenario in feature.scenarios:
        for examples in scenario.examples:
            for tag in examples.tags:
                marker = marker_name(tag.name)
                if marker != tag.name:
                    edits.append(_tag_edit(tag, marker))
                    out.append(
                        Diagnostic(
                            file.display,
                            tag.location.line,
                            tag.location.column,
                            f"Examples tag @{tag.name} cannot be a pytest marker name; the runnable copy uses @{marker}",
                            Severity.WARNING,
                            fix=f"rename the tag to @{marker}",
                        )
                    )


def _empty_examples(file: FeatureFile, feature: Feature, out: list[Diagnostic]) -> None:
    for scenario in feature.scenarios:
        if not scenario.examples or any(examples.rows for examples in scenario.examples):
            continue
        first = scenario.examples[0]
        out.append(
            Diagnostic(
                file.display,
                first.location.line,
                first.location.column,
                f"the Examples of Scenario Outline {scenario.name!r} have no rows: pytest-bdd runs it once, "
                "with its <placeholders> left in the steps as text",
                Severity.WARNING,
                fix="add a row of values under the Examples header, or make it a plain Scenario",
            )
        )


def _tag_edit(tag: Tag, marker: str) -> _Edit:
    return _Edit(tag.location.line, tag.location.column, f"@{tag.name}", f"@{marker}")


def _keyword_for(language: str, kind: StepKind) -> str:
    from gherkin.dialect import Dialect

    dialect = Dialect.for_name(language) or Dialect.for_name("en")
    assert dialect is not None
    keywords = {
        "given": dialect.given_keywords,
        "when": dialect.when_keywords,
        "then": dialect.then_keywords,
    }[kind]
    return next(keyword for keyword in keywords if keyword.strip() != "*")


def _apply(file: FeatureFile, edits: list[_Edit]) -> str:
    lines = file.source.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.line, -e.column)):
        text = lines[edit.line - 1]
        start = edit.column - 1
        if text[start : start + len(edit.old)] != edit.old:
            raise AssertionError(
                f"{file.display}:{edit.line}:{edit.column}: expected {edit.old!r} in {text!r}"
            )
        lines[edit.line - 1] = text[:start] + edit.new + text[start + len(edit.old) :]
    body = "".join(lines)
    if body and not body.endswith(("\n", "\r")):
        body += "\n"
    # Appended, not prepended, so that every line number still matches the person's file.
    return (
        body
        + f"# Runnable copy of {file.display} written by redphase scaffold. Do not edit: edit that file.\n"
    )
