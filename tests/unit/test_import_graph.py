"""src/redphase has no import cycles: every stage depends only on the stages before it.

The graph is read statically with ast, so that a lazy (function-level) import counts as an edge too,
and so does an import that only type checkers see. Importing `a.b.c` runs `a/b/__init__.py` first,
so it is an edge to that package as well. Cycles are looked for twice: between modules, and between
stages (each subpackage or module directly under redphase, such as `plan`, `project` or `config`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import redphase

PACKAGE = Path(redphase.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """`name` itself when it is one of our modules, else the nearest package of ours holding it."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    """Each of our modules → the modules of ours it imports, anywhere in its body."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    origin = ".".join([*base, node.module] if node.module else base)
                else:
                    origin = node.module or ""
                # `from . import x` and `from pkg import module` name modules, not only attributes.
                targets = [f"{origin}.{alias.name}" for alias in node.names] + [origin]
            for target in targets:
                found = _resolve(target, modules)
                while found is not None and found != "redphase":
                    if found != name and not name.startswith(found + "."):
                        graph[name].add(found)
                    found = found.rpartition(".")[0]  # its packages are imported first
    return graph


def stage_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The module graph with each stage (redphase.X and everything under it) made one node."""

    def stage(module: str) -> str:
        return ".".join(module.split(".")[:2])

    stages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        stages.setdefault(stage(module), set()).update(
            stage(target) for target in targets if stage(target) != stage(module)
        )
    return stages


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle for every strongly connected group of more than one module."""
    return [_cycle_through(group, graph) for group in _groups(graph)]


def _groups(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in order:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], order[successor])
        if low[node] == order[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return groups


def _cycle_through(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    return _shortest_cycle(group[0], group, graph)


def every_cycle(graph: dict[str, set[str]]) -> list[list[str]]:
    """A shortest cycle through each module that is on one: enough to see every edge to cut."""
    found = []
    for group in _groups(graph):
        for start in group:
            cycle = _shortest_cycle(start, group, graph)
            if not any(_same_cycle(cycle, seen) for seen in found):
                found.append(cycle)
    return found


def _same_cycle(a: list[str], b: list[str]) -> bool:
    return len(a) == len(b) and set(a) == set(b)


def _shortest_cycle(start: str, group: list[str], graph: dict[str, set[str]]) -> list[str]:
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(graph[node] & set(group)):
                if successor == start:
                    return [*paths[node], start]
                if successor not in paths:
                    paths[successor] = [*paths[node], successor]
                    following.append(successor)
        frontier = following
    raise AssertionError(f"no cycle through {group}")


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = import_graph()
    # Top level, relative (`from . import x`) and function-level imports all count.
    assert graph.get("redphase.cli")
    assert all(target in graph for targets in graph.values() for target in targets)


def _shown(found: list[list[str]]) -> str:
    return "\n".join(" → ".join(cycle) for cycle in found)


def test_there_are_no_import_cycles_between_modules() -> None:
    graph = import_graph()
    assert not cycles(graph), "import cycles in src/redphase:\n" + _shown(every_cycle(graph))


def test_there_are_no_import_cycles_between_stages() -> None:
    graph = stage_graph(import_graph())
    assert not cycles(graph), "import cycles between stages of src/redphase:\n" + _shown(every_cycle(graph))


def test_a_cycle_is_found_and_shown() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert every_cycle(graph) == [["a", "b", "c", "a"]]


STAGES = ["redphase.parse", "redphase.discover", "redphase.plan", "redphase.render", "redphase.write"]


def test_each_stage_imports_only_the_stages_before_it() -> None:
    graph = stage_graph(import_graph())
    backwards = [
        f"{stage} → {later}"
        for position, stage in enumerate(STAGES)
        for later in STAGES[position + 1 :]
        if later in graph[stage]
    ]
    assert not backwards, "stages importing later stages:\n" + "\n".join(backwards)
