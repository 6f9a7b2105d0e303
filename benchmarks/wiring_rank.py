"""How well `redphase plan` ranks the wiring of real steps: top-1 and top-3, per project and overall.

    python benchmarks/wiring_rank.py [NAME...] [--work DIR] [--misses]

The projects are those of benchmarks/real_projects.py, as `prepare` left them in `<work>/<name>/src`
(with their original step definitions). For every original step definition (a function decorated
with pytest-bdd's given/when/then), the application callables its body calls are found statically,
with ast: a call resolved through the module's imports to application code (`func(...)`,
`module.func(...)`), a method call `obj.name(...)` whose name only application classes define, an
HTTP call `client.post("/path")` matched to a discovered route, or `runner.invoke(command, ...)`.
Steps whose body calls no application code are not counted.

The ranking then sees only the step's text and type. The discovery it ranks from never reads the
step definitions: they are test code (they import pytest_bdd), and the files that hold them are
left out explicitly as well. A step counts as top-1 when the first candidate is one of the callables
its original body called, and top-3 when one of the first three is.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_projects import DEFAULT_WORK, PROJECTS, Project, source_of

from redphase.config import Config, load_config
from redphase.diagnostics import UsageError
from redphase.discover.model import Callable, SystemModel
from redphase.discover.rank import rank, words
from redphase.discover.scan import _is_test_module, _load, _Module, _resolve, dotted
from redphase.discover.scan import _Scanner as Scanner

KINDS = ("given", "when", "then")
HTTP = ("get", "post", "put", "patch", "delete")
# Method names that builtin types have too: `obj.update(...)` on an unknown receiver is more likely a
# dict than the application, so a name-only match on these is no evidence.
BUILTIN_METHODS = frozenset(
    [
        "update",
        "get",
        "set",
        "write",
        "read",
        "append",
        "pop",
        "items",
        "keys",
        "values",
        "add",
        "remove",
        "sort",
        "split",
        "join",
        "format",
        "strip",
        "close",
        "open",
        "copy",
        "extend",
        "insert",
        "clear",
        "count",
        "index",
        "find",
        "replace",
        "encode",
        "decode",
        "lower",
        "upper",
        "send",
        "run",
    ]
)


@dataclass(frozen=True)
class Case:
    project: str
    kind: str
    text: str
    location: str
    truth: frozenset[str]


def step_modules(root: Path) -> list[Path]:
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = [
            d for d in dirs if not d.startswith(".") and d not in ("venv", "node_modules", "site-packages")
        ]
        for name in files:
            path = Path(directory) / name
            if name.endswith(".py") and "pytest_bdd" in path.read_text(encoding="utf-8", errors="replace"):
                found.append(path)
    return sorted(found)


def pattern_text(decorator: ast.Call) -> str:
    """The step's text from `@given("...")` or `@given(parsers.parse("..."))`; regexes made plain."""
    if not decorator.args:
        for keyword in decorator.keywords:
            if keyword.arg == "name":
                return pattern_text(ast.Call(func=decorator.func, args=[keyword.value], keywords=[]))
        return ""
    first = decorator.args[0]
    regex = False
    if isinstance(first, ast.Call) and first.args:
        regex = dotted(first.func).endswith(".re") or dotted(first.func) == "re"
        first = first.args[0]
    if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
        return ""
    text: str = first.value
    if regex:
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
        text = re.sub(r"[\^$\\]|\(\?:|[()?*+]", "", text)
    return text


def route_matches(path: str, template: str) -> bool:
    pattern = re.sub(r"\\\{[^}]*\\\}|\\<[^>]*\\>", "[^/]+", re.escape(template.rstrip("/") or "/"))
    return re.fullmatch(pattern, path.split("?")[0].rstrip("/") or "/") is not None


class Truth:
    def __init__(self, model: SystemModel) -> None:
        self.targets = {c.target: c for c in model.callables}
        self.by_name: dict[str, set[str]] = {}
        for item in model.callables:
            if item.kind == "method":
                self.by_name.setdefault(item.name, set()).add(item.target)
        self.functions = {c.target for c in model.callables if c.kind in ("function", "command")}
        self.routes = [c for c in model.callables if c.kind == "route"]

    def of(self, function: ast.FunctionDef | ast.AsyncFunctionDef, module: _Module) -> frozenset[str]:
        found: set[str] = set()
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            name = dotted(node.func)
            if name:
                resolved = _resolve(name, module)
                if resolved in self.functions:
                    found.add(resolved)
                    continue
            if isinstance(node.func, ast.Attribute):
                attr = node.func.attr
                if attr in HTTP and node.args:
                    path = _literal_path(node.args[0])
                    if path is not None:
                        found |= {
                            r.target
                            for r in self.routes
                            if r.target.split(" ", 1)[0] == attr.upper()
                            and route_matches(path, r.target.split(" ", 1)[1])
                        }
                        continue
                if attr == "invoke" and node.args:
                    command = _resolve(dotted(node.args[0]), module)
                    if command in self.functions:
                        found.add(command)
                        # invoke(cli, ["size", ...]) runs the group and its subcommand `size`.
                        if len(node.args) > 1 and isinstance(node.args[1], ast.List | ast.Tuple):
                            first = node.args[1].elts[0] if node.args[1].elts else None
                            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                                sub = f"{command.rpartition('.')[0]}.{first.value.replace('-', '_')}"
                                if sub in self.functions:
                                    found.add(sub)
                        continue
                if attr in self.by_name and not attr.startswith("_"):
                    targets = self.by_name[attr]
                    if attr in BUILTIN_METHODS:
                        # Only when the receiver is named like the class: `basket.remove` → CucumberBasket.
                        receiver = set(words(dotted(node.func.value).rpartition(".")[2]))
                        targets = {t for t in targets if receiver & set(words(self.targets[t].owner))}
                    found |= targets
        return frozenset(found)


def _literal_path(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/"):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [str(v.value) if isinstance(v, ast.Constant) else "x" for v in node.values]
        text = "".join(parts)
        return text if text.startswith("/") else None
    return None


def cases_for(project: Project, work: Path) -> tuple[list[Case], SystemModel] | None:
    root = source_of(work, project)
    if project.subdir:
        root = root / project.subdir
    if not root.is_dir():
        return None
    try:
        config: Config = load_config(root)
    except UsageError:
        config = Config(root=root.resolve(), features=root / "features", tests=root / "tests")
    config = replace(config, system="")
    steps = step_modules(root)
    scanner = Scanner(config)
    model = scanner.scan()
    hidden = {path.resolve() for path in steps}
    # The step definitions never reach the ranking, even where a project keeps them outside tests/.
    shown = [c for c in model.callables if (root / c.location.rsplit(":", 1)[0]).resolve() not in hidden]
    model = replace(model, callables=tuple(shown))
    truth = Truth(model)
    cases = []
    for path in steps:
        module = _load(path, root)
        if module is None or not _is_test_module(module):
            continue
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if not isinstance(decorator, ast.Call):
                    continue
                kind = dotted(decorator.func).rpartition(".")[2]
                if kind not in KINDS:
                    continue
                text = pattern_text(decorator)
                called = truth.of(node, module)
                if text and called:
                    cases.append(Case(project.name, kind, text, f"{module.display}:{node.lineno}", called))
    return cases, model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--misses", action="store_true", help="show every step whose callable was not first")
    args = parser.parse_args(argv)
    projects = [p for p in PROJECTS if not args.names or p.name in args.names]
    total = [0, 0, 0]
    per_project: list[tuple[float, float]] = []
    print(f"{'project':<20} {'steps':>5} {'top-1':>7} {'top-3':>7}  callables")
    for project in projects:
        found = cases_for(project, args.work)
        if found is None:
            print(f"{project.name:<20} not prepared (run real_projects.py prepare {project.name})")
            continue
        cases, model = found
        counts = [len(cases), 0, 0]
        for case in cases:
            ranked: list[Callable] = [c.callable for c in rank(case.text, case.kind, model.callables)]
            targets = [c.target for c in ranked]
            top1 = bool(targets) and targets[0] in case.truth
            top3 = any(t in case.truth for t in targets[:3])
            counts[1] += top1
            counts[2] += top3
            if args.misses and not top1:
                print(
                    f"  miss {case.location} {case.kind} {case.text!r}\n"
                    f"       wanted {sorted(case.truth)[:3]}\n       ranked {targets[:3]}"
                )
        for i in range(3):
            total[i] += counts[i]
        if counts[0]:
            per_project.append((counts[1] / counts[0], counts[2] / counts[0]))
        print(
            f"{project.name:<20} {counts[0]:>5} {_pct(counts[1], counts[0]):>7} {_pct(counts[2], counts[0]):>7}  "
            f"{len(model.callables)}"
        )
    print(f"{'overall':<20} {total[0]:>5} {_pct(total[1], total[0]):>7} {_pct(total[2], total[0]):>7}")
    if per_project:
        # Every project counts once, however many steps it has: one large project cannot carry the figure.
        top1 = sum(p[0] for p in per_project) / len(per_project)
        top3 = sum(p[1] for p in per_project) / len(per_project)
        print(f"{'mean of projects':<20} {len(per_project):>5} {100 * top1:>6.0f}% {100 * top3:>6.0f}%")
    return 0


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


if __name__ == "__main__":
    sys.exit(main())
