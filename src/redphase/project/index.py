"""What the project already has, read statically with `ast`: step definitions and bound scenarios.

Nothing is imported or executed. Step parsers are rebuilt with pytest-bdd's own parser classes so that
"is this step already defined?" is answered exactly as pytest-bdd answers it at run time.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from redphase.content_digest import digest_of
from redphase.frozen import frozen

STEP_DECORATORS = {"given": "given", "when": "when", "then": "then", "step": None}
PARSER_NAMES = {"string", "parse", "cfparse", "re"}


@frozen
class ExistingStep:
    kind: str | None  # None: `@step`, which matches any type
    matcher: Any  # a DeferredParser, or a pytest_bdd.parsers.StepParser
    path: Path
    line: int
    # conftest.py and step_defs modules are seen by every test below them; a test module only by itself.
    shared: bool

    def matches(self, kind: str, text: str) -> bool:
        if self.kind is not None and self.kind != kind:
            return False
        try:
            return bool(self.matcher.is_matching(text))
        except Exception:
            return False

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class ExistingModule:
    path: Path
    names: set[str] = field(default_factory=set)
    # (resolved feature path or "", scenario name) bound with @scenario.
    bound: set[tuple[str, str]] = field(default_factory=set)
    # Feature paths bound wholesale with scenarios(...).
    bound_all: set[str] = field(default_factory=set)
    features: set[str] = field(default_factory=set)
    imports: set[str] = field(default_factory=set)
    constants: dict[str, str] = field(default_factory=dict)


@dataclass
class ProjectIndex:
    steps: list[ExistingStep] = field(default_factory=list)
    modules: dict[Path, ExistingModule] = field(default_factory=dict)
    fixtures: set[str] = field(default_factory=set)
    _lookup: _StepLookup | None = field(default=None, repr=False, compare=False)
    _binding: dict[str, Path] | None = field(default=None, repr=False, compare=False)

    def module_binding(self, feature: Path) -> Path | None:
        """The first test module, in path order, that binds `feature`."""
        if self._binding is None:
            self._binding = {}
            for path in sorted(self.modules):
                for key in self.modules[path].features:
                    self._binding.setdefault(key, path)
        for folder in (feature, *feature.parents):
            # scenarios("folder") binds every feature below that folder.
            module = self._binding.get(str(folder))
            if module is not None:
                return module
        return None

    def definition_for(self, kind: str, text: str, module: Path, steps_dir: Path) -> ExistingStep | None:
        """The first step definition, in project order, that `module` sees and that matches `text`."""
        if self._lookup is None:
            self._lookup = _StepLookup(self.steps)
        module_text, steps_text = str(module), str(steps_dir)
        for position in self._lookup.candidates(text):
            step = self.steps[position]
            place = self._lookup.places[position]
            visible = place.path == module_text or (
                step.shared
                and (place.parent == steps_text or f"{module_text}{os.sep}".startswith(place.parent_prefix))
            )
            if visible and step.matches(kind, text):
                return step
        return None

    def is_bound(self, module: Path, feature: Path, name: str) -> bool:
        existing = self.modules.get(module)
        if existing is None:
            return False
        if (str(feature), name) in existing.bound:
            return True
        return any(str(folder) in existing.bound_all for folder in (feature, *feature.parents))


@frozen
class _Place:
    path: str
    parent: str
    parent_prefix: str  # the parent folder with a trailing separator


class PrefixLookup:
    """Step parsers filed by the literal prefix every text they match starts with.

    A project with thousands of steps would otherwise run every matcher for every step text, and
    filing by first word helps little where most steps start "I" or "the". A `string` step is filed
    by its whole text; any other by its literal prefix, exact or case-folded as its parser compares.
    A text's candidates are the steps filed under its own prefixes; a step with no literal prefix (a
    parameter first, a verbose regex, a parser of a class not known here) is filed under "" and
    tried for every text, as before.
    """

    def __init__(self, matchers: Iterable[Any]) -> None:
        self.equal: dict[str, list[int]] = {}
        self.exact: dict[str, list[int]] = {}
        self.folded: dict[str, list[int]] = {}
        for position, matcher in enumerate(matchers):
            prefix, case_sensitive, whole = _literal_prefix(matcher)
            if whole:
                self.equal.setdefault(prefix, []).append(position)
            elif case_sensitive:
                self.exact.setdefault(prefix, []).append(position)
            else:
                self.folded.setdefault(prefix, []).append(position)
        self.exact_lengths = sorted({len(prefix) for prefix in self.exact})
        self.folded_lengths = sorted({len(prefix) for prefix in self.folded})

    def candidates(self, text: str) -> list[int]:
        """Positions of the steps that could match `text`, in project order; their type is checked after."""
        found = list(self.equal.get(text, ()))
        for length in self.exact_lengths:
            if length > len(text):
                break
            found += self.exact.get(text[:length], ())
        # Folded prefixes are ASCII; outside ASCII, case folding can meet ASCII (the Kelvin sign, a
        # long s), so past the text's first non-ASCII character every longer folded prefix is a candidate.
        ascii_run = next((at for at, char in enumerate(text) if not char.isascii()), len(text))
        folded = text[:ascii_run].lower()
        for length in self.folded_lengths:
            if length > ascii_run:
                if ascii_run < len(text):
                    for prefix, positions in self.folded.items():
                        if len(prefix) > ascii_run:
                            found += positions
                break
            found += self.folded.get(folded[:length], ())
        return sorted(found)


class _StepLookup(PrefixLookup):
    """Existing steps filed by prefix, with each one's file and folder worked out once."""

    def __init__(self, steps: list[ExistingStep]) -> None:
        super().__init__(step.matcher for step in steps)
        by_path: dict[Path, _Place] = {}
        for step in steps:
            if step.path not in by_path:
                parent = str(step.path.parent)
                by_path[step.path] = _Place(str(step.path), parent, f"{parent}{os.sep}")
        self.places = [by_path[step.path] for step in steps]


def _literal_prefix(matcher: Any) -> tuple[str, bool, bool]:
    """(literal prefix of every text `matcher` accepts, whether case counts, whether it is the whole text).

    A case-folded prefix is lower-cased and ends before its first non-ASCII character.
    """
    if isinstance(matcher, DeferredParser):
        if matcher.prefix is None:
            matcher.prefix = _prefix_of(matcher.kind, matcher.name, matcher.flags)
        return matcher.prefix
    from pytest_bdd import parsers

    if isinstance(matcher, parsers.string):
        return _prefix_of("string", matcher.name, 0)
    if isinstance(matcher, parsers.re):
        return _prefix_of("re", matcher.regex.pattern, matcher.regex.flags)
    if isinstance(matcher, parsers.parse):  # cfparse too
        return _prefix_of("parse", matcher.name, 0)
    return "", True, False


def _prefix_of(kind: str, pattern: str, flags: int) -> tuple[str, bool, bool]:

    if kind == "string":
        return pattern, True, True
    if kind != "re":  # parse and cfparse ignore case unless told otherwise
        return _folded(pattern.split("{", 1)[0]), False, False
    # Inline flags start the pattern with "(", which ends its literal prefix at once.
    if flags & re.VERBOSE:
        return "", True, False
    literal = _regex_literal_prefix(pattern)
    return (literal, True, False) if not flags & re.IGNORECASE else (_folded(literal), False, False)


def _folded(literal: str) -> str:
    ascii_run = next((at for at, char in enumerate(literal) if not char.isascii()), len(literal))
    return literal[:ascii_run].lower()


_REGEX_SPECIAL = frozenset(".^$*+?{}[]|()")
_QUANTIFIERS = frozenset("*+?{")


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _regex_literal_suffix(pattern: str, flags: int) -> str:
    """The literal text every full match of `pattern` ends with, or "" where that is not sure: case
    ignored (by a flag or inline), verbose, an alternation, or the pattern ends in anything but
    plain characters (an escape, a group, a class, a quantifier, an anchor)."""
    if flags & (re.IGNORECASE | re.VERBOSE) or "|" in pattern or _GLOBAL_FLAGS.match(pattern):
        return ""
    end = len(pattern)
    while end > 0:
        char = pattern[end - 1]
        if char in _REGEX_SPECIAL or char == "\\":
            break
        backslashes = 0
        while end - 2 - backslashes >= 0 and pattern[end - 2 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2:  # escaped: \d, \Z, \. mean something other than the letter
            break
        end -= 1
    return pattern[end:]


def _regex_literal_prefix(pattern: str) -> str:
    if "|" in pattern:  # an alternation anywhere may begin before our prefix ends
        return ""
    literal: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escaped = pattern[index + 1 : index + 2]
            if not escaped or escaped.isalnum():
                break
            literal.append(escaped)
            index += 2
        elif char in _REGEX_SPECIAL:
            if char in _QUANTIFIERS and literal:
                literal.pop()  # the quantifier makes the character before it optional
            break
        else:
            literal.append(char)
            index += 1
    return "".join(literal)


def index_project(
    tests_dir: Path,
    base_dir: Path | None,
    memo: dict[str, list[Any]] | None = None,
    file_digest: Callable[[str], str] | None = None,
) -> ProjectIndex:
    """Index every Python file under `tests_dir`.

    With `memo` (by path: [digest of the file's bytes, what indexing it found], as `memo` is left by
    the previous run), a file whose bytes are unchanged is not parsed again; `memo` is brought up to
    date. The caller keeps it valid for one `tests_dir` and `base_dir`. `file_digest`, by path, is
    the digest `content_digest.digest_of` would give, from a caller that knows it without reading the file.
    """
    index = ProjectIndex()
    if not tests_dir.is_dir():
        if memo is not None:
            memo.clear()
        return index
    seen = set()
    for path in _python_files(tests_dir):
        if memo is None:
            _index_file(index, path, tests_dir, base_dir)
            continue
        key = str(path)
        seen.add(key)
        data = None
        if file_digest is not None:
            digest = file_digest(key)
        else:
            data = _bytes(path)
            digest = digest_of(data)
        entry = memo.get(key)
        one = _restored(path, entry[1]) if entry and entry[0] == digest else None
        if one is None:
            one = ProjectIndex()
            _index_file(one, path, tests_dir, base_dir, _bytes(path) if data is None else data)
            memo[key] = [digest, _record(one, path)]
        index.steps += one.steps
        index.modules.update(one.modules)
        index.fixtures |= one.fixtures
    for key in set(memo or ()) - seen:
        del memo[key]  # type: ignore[union-attr]
    return index


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _record(one: ProjectIndex, path: Path) -> dict[str, Any]:
    """What indexing one file found, as JSON."""
    module = one.modules[path]
    steps = []
    for step in one.steps:
        matcher = step.matcher
        assert isinstance(matcher, DeferredParser)
        prefix = list(_literal_prefix(matcher))
        steps.append([step.kind, matcher.kind, matcher.name, matcher.flags, step.line, step.shared, prefix])
    return {
        "names": sorted(module.names),
        "bound": sorted([feature, name] for feature, name in module.bound),
        "bound_all": sorted(module.bound_all),
        "features": sorted(module.features),
        "imports": sorted(module.imports),
        "constants": module.constants,
        "fixtures": sorted(one.fixtures),
        "steps": steps,
    }


def _restored(path: Path, record: Any) -> ProjectIndex | None:
    """The index of one file from its record; None if the record is not one `_record` wrote."""
    try:
        one = ProjectIndex()
        one.modules[path] = ExistingModule(
            path,
            names=set(record["names"]),
            bound={(str(feature), str(name)) for feature, name in record["bound"]},
            bound_all=set(record["bound_all"]),
            features=set(record["features"]),
            imports=set(record["imports"]),
            constants={str(k): str(v) for k, v in record["constants"].items()},
        )
        one.fixtures = set(record["fixtures"])
        for kind, parser, pattern, flags, line, shared, (prefix, case, whole) in record["steps"]:
            known = (str(prefix), bool(case), bool(whole))
            matcher = DeferredParser(str(parser), str(pattern), int(flags), known)
            one.steps.append(ExistingStep(kind, matcher, path, int(line), bool(shared)))
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    return one


def _python_files(root: Path) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(
            d for d in subdirs if not d.startswith(".") and d not in ("__pycache__", "node_modules")
        )
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(directory) / name


def _index_file(
    index: ProjectIndex, path: Path, tests_dir: Path, base_dir: Path | None, data: bytes | None = None
) -> None:
    module = ExistingModule(path)
    index.modules[path] = module
    try:
        if data is None:
            text = path.read_text(encoding="utf-8")
        else:  # as read_text would: universal newlines
            text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        tree = ast.parse(text, filename=str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return
    shared = path.name == "conftest.py" or path.parent.name == "step_defs"
    constants = _string_constants(tree)
    module.constants = constants
    feature_base = base_dir or path.parent
    for node in tree.body:
        for name in _bound_names(node):
            module.names.add(name)
        if isinstance(node, ast.ImportFrom | ast.Import):
            module.imports.update(alias.asname or alias.name for alias in node.names)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _index_function(index, module, node, path, shared, constants, feature_base)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            _index_scenarios_call(module, node.value, constants, feature_base)


def _bound_names(node: ast.stmt) -> Iterator[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                yield target.id
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        yield node.target.id
    elif isinstance(node, ast.Import | ast.ImportFrom):
        for alias in node.names:
            yield alias.asname or alias.name
            yield (alias.asname or alias.name).split(".")[0]
    elif isinstance(node, ast.If):
        # `if TYPE_CHECKING:` imports: the names are bound for the type checker all the same.
        for statement in node.body:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                yield from _bound_names(statement)


def _string_constants(tree: ast.Module) -> dict[str, str]:
    constants = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            constants[node.targets[0].id] = node.value.value
    return constants


def _call_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _string_value(node: ast.expr, constants: dict[str, str]) -> str | None:
    """The value of a string literal, a module constant, or an f-string or `+` of those; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string_value(node.left, constants), _string_value(node.right, constants)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.conversion != -1 or value.format_spec is not None:
                    return None
                part = _string_value(value.value, constants)
            else:
                part = _string_value(value, constants)
            if part is None:
                return None
            parts.append(part)
        return "".join(parts)
    return None


def _feature_key(value: str, feature_base: Path) -> str:
    return str(Path(os.path.normpath(feature_base / value)))


def _index_function(
    index: ProjectIndex,
    module: ExistingModule,
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    path: Path,
    shared: bool,
    constants: dict[str, str],
    feature_base: Path,
) -> None:
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Call):
            if _call_name(decorator) == "fixture" and shared:
                index.fixtures.add(node.name)
            continue
        name = _call_name(decorator.func)
        if name == "fixture" and shared:
            index.fixtures.add(_fixture_name(decorator) or node.name)
        elif name == "scenario" and len(decorator.args) >= 2:
            feature = _string_value(decorator.args[0], constants)
            scenario = _string_value(decorator.args[1], constants)
            if feature is not None and scenario is not None:
                key = _feature_key(feature, feature_base)
                module.bound.add((key, scenario))
                module.features.add(key)
        elif name in STEP_DECORATORS and decorator.args:
            matcher = _matcher(decorator.args[0], constants)
            if matcher is not None:
                index.steps.append(
                    ExistingStep(STEP_DECORATORS[name], matcher, path, decorator.lineno, shared)
                )


def _fixture_name(decorator: ast.Call) -> str | None:
    for keyword in decorator.keywords:
        if (
            keyword.arg == "name"
            and isinstance(keyword.value, ast.Constant)
            and isinstance(keyword.value.value, str)
        ):
            return keyword.value.value
    return None


def _index_scenarios_call(
    module: ExistingModule, call: ast.Call, constants: dict[str, str], base: Path
) -> None:
    if _call_name(call.func) != "scenarios":
        return
    for argument in call.args:
        value = _string_value(argument, constants)
        if value is not None:
            key = _feature_key(value, base)
            module.bound_all.add(key)
            module.features.add(key)


def _matcher(node: ast.expr, constants: dict[str, str]) -> Any:
    text = _string_value(node, constants)
    if text is not None:
        return DeferredParser("string", text)
    if isinstance(node, ast.Call) and _call_name(node.func) in PARSER_NAMES and node.args:
        pattern = _string_value(node.args[0], constants)
        if pattern is None:
            return None
        kind = _call_name(node.func)
        return DeferredParser(kind, pattern, _regex_flags(node) if kind == "re" else 0)
    return None


class DeferredParser:
    """A pytest-bdd step parser (`string`, `parse`, `cfparse` or `re`), made only when a text is first
    tried against it: pytest-bdd is not even imported until then.

    Compiling every existing step's pattern cost a re-scaffold of a large project more than looking
    them up. A pattern pytest-bdd itself could not compile defines nothing: it matches no text.
    """

    def __init__(
        self, kind: str, pattern: str, flags: int = 0, prefix: tuple[str, bool, bool] | None = None
    ) -> None:
        self.kind = kind
        self.name = pattern
        self.flags = flags
        # (literal prefix, case counts, whole text), worked out once (see _literal_prefix)
        self.prefix = prefix
        self._built: Any = None
        self._tried = False
        self._regex: re.Pattern[str] | Literal[False] | None = None
        self._suffix: str | None = None

    def built(self) -> Any:
        """The pytest-bdd `parse` or `cfparse` parser, or None when it cannot compile the pattern
        (`string` and `re` are matched without one, see `is_matching`)."""
        if not self._tried:
            self._tried = True
            from pytest_bdd import parsers

            try:
                self._built = getattr(parsers, self.kind)(self.name)
            except Exception:
                self._built = None
        return self._built

    def is_matching(self, text: str) -> bool:
        # `string` and `re` match as pytest-bdd's own parsers do in every release redphase supports
        # (>=8.1,<10: equality, and `re.compile(pattern, flags).fullmatch`), without importing
        # pytest-bdd and pytest, which cost a re-scaffold after one edit more than all its planning.
        if self.kind == "string":
            return text == self.name
        if self.kind == "re":
            # The literal end is checked first: most candidates fail it, and compiling is the cost.
            if self._suffix is None:
                self._suffix = _regex_literal_suffix(self.name, self.flags)
            if not text.endswith(self._suffix):
                return False
            if self._regex is None:
                try:
                    self._regex = re.compile(self.name, self.flags)
                except Exception:  # pytest-bdd could not compile it either: it defines nothing
                    self._regex = False
            return self._regex is not False and self._regex.fullmatch(text) is not None
        built = self.built()
        return built is not None and bool(built.is_matching(text))


def _regex_flags(call: ast.Call) -> int:

    flags = 0
    for node in [*call.args[1:], *(keyword.value for keyword in call.keywords if keyword.arg == "flags")]:
        for part in ast.walk(node):
            if isinstance(part, ast.Attribute) and isinstance(getattr(re, part.attr, None), int):
                flags |= getattr(re, part.attr)
    return flags
