"""How the harness assembles the system under test, read statically from its entry point.

The composition root (or the web application) is called with what a test can supply in isolation:
a file in the test's own folder for a path or a database, and a recording fake for each port (a
Protocol or abstract class of the application) that the root is handed. A parameter nothing fits
leaves the system unassembled, and the reason says which one: the harness then stays unwired rather
than guess.
"""

from __future__ import annotations

import ast
import re
from typing import Literal

from redphase.config import Config
from redphase.discover.model import EntryPoint, SystemModel
from redphase.discover.scan import WEB_APPS, _load, _Module, _resolve, dotted
from redphase.frozen import frozen
from redphase.identifiers import is_module_path
from redphase.project.application import configured_location

# Words in a parameter's name that say it is where the application keeps its data.
PATH_WORDS = frozenset(["path", "db", "database", "file", "filename", "dir", "directory", "folder", "root"])
URL_WORDS = frozenset(["url", "uri", "dsn"])
# What a fake's method returns, by the port's return annotation: the empty answer of each type.
EMPTY_RESULTS = {"None": "None", "bool": "True", "int": "0", "float": "0.0", "str": '""', "bytes": 'b""'}
EMPTY_COLLECTIONS = {"list": "[]", "dict": "{}", "set": "set()", "tuple": "()"}
Client = Literal["", "starlette", "flask"]


@frozen
class FakeMethod:
    name: str
    params: tuple[str, ...]
    returns: str  # the fake's return annotation, in builtins only
    value: str  # what it returns, "" for None


@frozen
class FakePort:
    attribute: str  # the harness attribute that holds it, and the root's parameter name
    class_name: str
    port: str  # dotted path of the Protocol or abstract class
    methods: tuple[FakeMethod, ...]
    location: str


@frozen
class Argument:
    name: str
    expression: str  # in terms of `workdir` and `self`
    why: str


@frozen
class Assembly:
    """The system under test as the harness builds it: `module.name(arguments)`, or the object."""

    target: str  # dotted
    module: str
    name: str
    call: bool
    arguments: tuple[Argument, ...]
    fakes: tuple[FakePort, ...]
    app_type: str  # the class the root returns, dotted; "" when unknown
    client: Client
    location: str
    reason: str


@frozen
class Unassembled:
    reason: str


def assemble(model: SystemModel, config: Config) -> Assembly | Unassembled:
    entry = _entry(model)
    if entry is None:
        return Unassembled("no composition root, web application or [tool.redphase] system was found")
    module_name, _, name = entry.target.replace(":", ".").rpartition(".")
    if not is_module_path(module_name) or not name.isidentifier():
        return Unassembled(f"{entry.target}: not a module path a test can import")
    module = _module(config, module_name)
    if module is None:
        return Unassembled(f"{entry.target}: its module {module_name} is not in the project")
    for node in module.tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            if isinstance(node, ast.AsyncFunctionDef):
                return Unassembled(
                    f"{entry.target} is a coroutine: a test cannot call it to assemble the system"
                )
            return _from_function(node, module, entry, config)
        if isinstance(node, ast.Assign | ast.AnnAssign) and name in _targets(node):
            client = _client(node.value, module)
            return Assembly(
                target=f"{module.name}.{name}",
                module=module.name,
                name=name,
                call=False,
                arguments=(),
                fakes=(),
                app_type="",
                client=client,
                location=f"{module.display}:{node.lineno}",
                reason=entry.reason,
            )
    return Unassembled(f"{entry.target}: no function or object {name} in {module.display}")


def _entry(model: SystemModel) -> EntryPoint | None:
    """The configured system, else the entry point discovery ranks first when it is one that builds
    the system: a root found by its name alone ranks after the command line, and is not taken."""
    for entry in model.entry_points:
        if entry.kind == "configured" and entry.target:
            return entry
    first = model.entry_points[0] if model.entry_points else None
    return first if first is not None and first.kind in ("composition-root", "web-app") else None


def _module(config: Config, dotted_name: str) -> _Module | None:
    location = configured_location(config.root, dotted_name)
    if location is not None and location.is_dir():
        location = location / "__init__.py"
    if location is None or not location.is_file():
        return None
    return _load(location, config.root)


def _targets(node: ast.Assign | ast.AnnAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [target.id for target in targets if isinstance(target, ast.Name)]


def _client(value: ast.AST | None, module: _Module) -> Client:
    """The test client a web application object is driven through."""
    calls = [sub for sub in ast.walk(value) if isinstance(sub, ast.Call)] if value is not None else []
    for call in calls:
        framework = WEB_APPS.get(_resolve(dotted(call.func), module).rpartition(".")[2], "")
        if framework.lower() in ("fastapi", "starlette"):
            return "starlette"
        if framework.lower() == "flask":
            return "flask"
    return ""


def _from_function(
    node: ast.FunctionDef, module: _Module, entry: EntryPoint, config: Config
) -> Assembly | Unassembled:
    arguments: list[Argument] = []
    fakes: list[FakePort] = []
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    with_default = {arg.arg for arg in positional[len(positional) - len(args.defaults) :]}
    with_default |= {
        arg.arg for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True) if default
    }
    for arg in [*positional, *args.kwonlyargs]:
        if arg.arg in with_default or arg.arg in ("self", "cls"):
            continue
        supplied = _supply(arg, module, config)
        if isinstance(supplied, Unassembled):
            return Unassembled(f"{entry.target}({arg.arg}=...): {supplied.reason}")
        if isinstance(supplied, FakePort):
            fakes.append(supplied)
            arguments.append(Argument(arg.arg, f"self.{supplied.attribute}", f"a fake of {supplied.port}"))
        else:
            arguments.append(supplied)
    return Assembly(
        target=f"{module.name}.{node.name}",
        module=module.name,
        name=node.name,
        call=True,
        arguments=tuple(arguments),
        fakes=tuple(fakes),
        app_type=_returned_class(node, module),
        # A factory that creates a web application returns it: drive it through its test client.
        client=_client(node, module),
        location=f"{module.display}:{node.lineno}",
        reason=entry.reason,
    )


def _supply(arg: ast.arg, module: _Module, config: Config) -> Argument | FakePort | Unassembled:
    annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
    words = set(re.split(r"[^a-z]+", arg.arg.lower()))
    names = set(re.findall(r"[A-Za-z_][\w.]*", annotation))
    file_name = arg.arg
    if words & URL_WORDS and names <= {"str", "None", "Optional"}:
        return Argument(
            arg.arg,
            f'f"sqlite:///{{workdir / {file_name!r}}}.sqlite3"',
            "a database file in the test's folder",
        )
    if names & {"Path", "pathlib.Path", "PathLike", "os.PathLike"}:
        return Argument(arg.arg, f"workdir / {_quoted(file_name)}", "a file in the test's own folder")
    if words & PATH_WORDS and names <= {"str", "None", "Optional"}:
        return Argument(arg.arg, f"str(workdir / {_quoted(file_name)})", "a file in the test's own folder")
    classes = [_resolve(name, module) for name in names if name[:1].isupper()]
    for dotted_class in classes:
        port = _port(dotted_class, arg.arg, config)
        if port is not None:
            return port
    if not annotation:
        return Unassembled("it has no annotation and no default, so nothing says what it takes")
    return Unassembled(f"nothing a test can supply in isolation is a {annotation}")


def _quoted(text: str) -> str:
    return '"' + text + '"'


def _port(dotted_class: str, attribute: str, config: Config) -> FakePort | None:
    module_name, _, class_name = dotted_class.rpartition(".")
    module = _module(config, module_name) if is_module_path(module_name) else None
    if module is None:
        return None
    for node in module.tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name and _is_port(node, module):
            methods = []
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
                    method = _fake_method(item)
                    if method is None:
                        return None
                    methods.append(method)
            return FakePort(
                attribute=attribute,
                class_name=f"Fake{class_name}",
                port=dotted_class,
                methods=tuple(methods),
                location=f"{module.display}:{node.lineno}",
            )
    return None


def _is_port(node: ast.ClassDef, module: _Module) -> bool:
    bases = {_resolve(dotted(base), module).rpartition(".")[2] for base in node.bases}
    metaclass = {
        _resolve(dotted(keyword.value), module).rpartition(".")[2] for keyword in node.keywords if keyword.arg
    }
    return bool(bases & {"Protocol", "ABC"} or "ABCMeta" in metaclass)


def _fake_method(node: ast.FunctionDef) -> FakeMethod | None:
    args = node.args
    if args.posonlyargs or args.vararg or args.kwarg or args.kwonlyargs:
        return None
    params = tuple(arg.arg for arg in args.args[1:])
    returns = ast.unparse(node.returns) if node.returns is not None else "None"
    if returns in EMPTY_RESULTS:
        value = EMPTY_RESULTS[returns]
        return FakeMethod(node.name, params, returns, "" if value == "None" else value)
    head = returns.partition("[")[0]
    if head.lower() in EMPTY_COLLECTIONS:
        return FakeMethod(
            node.name,
            params,
            f"{head.lower()}[Any]" if head.lower() != "dict" else "dict[Any, Any]",
            EMPTY_COLLECTIONS[head.lower()],
        )
    if returns.endswith("| None") or returns.startswith(("Optional[", "None |")):
        return FakeMethod(node.name, params, "None", "")
    return None


def _returned_class(node: ast.FunctionDef, module: _Module) -> str:
    if node.returns is not None:
        name = dotted(node.returns)
        return _resolve(name, module) if name and name[:1].isupper() else ""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Call):
            name = dotted(sub.value.func)
            if name[:1].isupper():
                return _resolve(name, module)
    return ""


def describe(assembly: Assembly | Unassembled) -> str:
    """One line for the harness description and the generated harness's docstring."""
    if isinstance(assembly, Unassembled):
        return f"not assembled: {assembly.reason}"
    arguments = ", ".join(f"{a.name}={a.expression}" for a in assembly.arguments)
    built = f"{assembly.target}({arguments})" if assembly.call else assembly.target
    return f"{built}, from {assembly.location} ({assembly.reason})"
