"""Read the application statically (ast, never an import) and find the system under test.

Application code is what `[tool.redphase] app` names, else every Python file under the project
root that is not test code (test_*.py, *_test.py, conftest.py, modules that import pytest_bdd, the
tests folder) nor a virtual environment, site-packages, build output or hidden folder.
"""

from __future__ import annotations

import ast
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from redphase.config import Config
from redphase.discover.model import Callable, EntryPoint, FoundComponent, SystemModel
from redphase.project.application import configured_location
from redphase.project.scripts import declared_scripts

SKIPPED_DIRS = {
    "node_modules",
    "__pycache__",
    "_redphase",
    "venv",
    "site-packages",
    "build",
    "dist",
    "tests",
    "test",
    "docs",
}
MAX_FILES = 2000
MAX_BYTES = 1_000_000

# Top-level module → (component, kind). kind decides the treatment: external → fake, database → isolated.
EXTERNAL_CLIENTS: dict[str, tuple[str, str]] = {
    "requests": ("http_api", "external"),
    "httpx": ("http_api", "external"),
    "aiohttp": ("http_api", "external"),
    "urllib3": ("http_api", "external"),
    "smtplib": ("email", "external"),
    "boto3": ("aws", "external"),
    "botocore": ("aws", "external"),
    "stripe": ("payments", "external"),
    "redis": ("cache", "external"),
    "pika": ("queue", "external"),
    "kafka": ("queue", "external"),
    "confluent_kafka": ("queue", "external"),
    "aiokafka": ("queue", "external"),
    "nats": ("queue", "external"),
    "grpc": ("grpc", "external"),
    "twilio": ("sms", "external"),
    "sendgrid": ("email", "external"),
    "paramiko": ("ssh", "external"),
    "sqlite3": ("database", "database"),
    "sqlalchemy": ("database", "database"),
    "psycopg": ("database", "database"),
    "psycopg2": ("database", "database"),
    "asyncpg": ("database", "database"),
    "pymongo": ("database", "database"),
    "motor": ("database", "database"),
    "mysql": ("database", "database"),
    "pymysql": ("database", "database"),
    "peewee": ("database", "database"),
    "tortoise": ("database", "database"),
    "sqlmodel": ("database", "database"),
}
TREATMENT = {"external": "fake", "database": "isolated", "own": "real", "clock": "fake"}
CLOCK_CALLS = {
    "datetime.now": "clock",
    "datetime.utcnow": "clock",
    "datetime.today": "clock",
    "date.today": "clock",
    "time.time": "clock",
    "time.monotonic": "clock",
    "uuid4": "randomness",
    "uuid.uuid4": "randomness",
    "uuid1": "randomness",
    "uuid.uuid1": "randomness",
    "secrets.token_hex": "randomness",
    "secrets.token_urlsafe": "randomness",
}
WEB_APPS = {
    "FastAPI": "FastAPI",
    "Flask": "Flask",
    "Starlette": "Starlette",
    "Quart": "Quart",
    "Sanic": "Sanic",
}
ROUTERS = {"APIRouter", "Blueprint", "Router"}
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
REPOSITORY_SUFFIXES = ("Repository", "Repo", "Store", "Dao", "DAO", "Database", "Db")
ROOT_NAMES = ("create_app", "create_system", "make_app", "build_app", "bootstrap", "build", "compose", "wire")


@dataclass
class _Module:
    name: str
    path: Path
    display: str
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)  # local name → dotted origin


def application_files(config: Config) -> list[Path]:
    root = config.root
    if config.app_packages:
        found: list[Path] = []
        for name in config.app_packages:
            location = configured_location(root, name)
            if location is not None and location.is_dir():
                found += sorted(_walk(location, config, packages=True))
            elif location is not None:
                found.append(location)
        return found[:MAX_FILES]
    return sorted(_walk(root, config, packages=False))[:MAX_FILES]


def _walk(top: Path, config: Config, packages: bool) -> Iterator[Path]:
    tests = config.tests.resolve()
    count = 0
    for directory, dirs, files in os.walk(top):
        here = Path(directory)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and (packages or d not in SKIPPED_DIRS)
            and not d.endswith(".egg-info")
            and (here / d).resolve() != tests
            and not (here / d / "pyvenv.cfg").exists()
        )
        for name in sorted(files):
            if not name.endswith(".py") or _is_test_name(name):
                continue
            count += 1
            if count > MAX_FILES:
                return
            yield here / name


def _is_test_name(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _load(path: Path, root: Path) -> _Module | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    name = _module_name(path, root)
    module = _Module(name, path, path.relative_to(root).as_posix(), tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                module.imports[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: max(0, len(base) - (node.level - 1))]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            for alias in node.names:
                module.imports[alias.asname or alias.name] = (
                    f"{origin}.{alias.name}" if origin else alias.name
                )
    return module


def _is_test_module(module: _Module) -> bool:
    return any(origin.split(".")[0] in ("pytest_bdd", "pytest") for origin in module.imports.values())


def dotted(node: ast.expr) -> str:
    """`a.b.c` for a Name/Attribute chain, "" for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):
        inner = dotted(node.func)
        return f"{inner}()" + ("." + ".".join(reversed(parts)) if parts else "") if inner else ""
    return ""


def _resolve(name: str, module: _Module) -> str:
    head, _, rest = name.partition(".")
    origin = module.imports.get(head)
    if origin is None:
        return f"{module.name}.{name}" if module.name else name
    return f"{origin}.{rest}" if rest else origin


def _doc(node: ast.AST) -> str:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
        text = ast.get_docstring(node) or ""
        return text.strip().split("\n\n")[0].replace("\n", " ")[:300]
    return ""


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> tuple[str, ...]:
    args = [*node.args.posonlyargs, *node.args.args]
    if method and args and not _is_static(node):
        args = args[1:]
    names = [arg.arg for arg in args] + [arg.arg for arg in node.args.kwonlyargs]
    return tuple(name for name in names if not name.startswith("_"))


def _is_static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(dotted(d) == "staticmethod" for d in node.decorator_list)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class _Scanner:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.modules: list[_Module] = []
        self.classes: dict[str, tuple[_Module, ast.ClassDef]] = {}
        self.functions: dict[str, tuple[_Module, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.entry_points: list[EntryPoint] = []
        self.components: dict[str, FoundComponent] = {}
        self.callables: list[Callable] = []
        self.via: dict[str, str] = {}  # class dotted path → harness expression reaching an instance
        self.strength: dict[str, float] = {}
        self._primary: set[str] = set()  # composition root → how surely it is one

    def scan(self) -> SystemModel:
        root = self.config.root
        for path in application_files(self.config):
            module = _load(path, root)
            if module is not None and not _is_test_module(module):
                self.modules.append(module)
        for module in self.modules:
            for node in module.tree.body:
                if isinstance(node, ast.ClassDef):
                    self.classes[f"{module.name}.{node.name}"] = (module, node)
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.functions[f"{module.name}.{node.name}"] = (module, node)
        if self.config.system:
            self.entry_points.append(
                EntryPoint(
                    "configured", self.config.system, f"[tool.redphase] system in {self.config.source}"
                )
            )
        self._composition_roots()
        primary = self._primary = self._primary_packages()
        for module in self.modules:
            if not primary or module.name.split(".")[0] in primary:
                # A tool or experiment folder beside the packages does not decide the components.
                self._components(module)
            self._web(module)
            self._cli(module)
        self._scripts()
        self._library()
        scripts = {e.target for e in self.entry_points if e.kind == "cli"}
        defined = self._defined_names()
        callables = [
            replace(
                item,
                kind="command" if item.target in scripts and item.kind == "function" else item.kind,
                primary=not primary or item.module.split(".")[0] in primary,
                calls=tuple(name for name in item.calls if name in defined and name != item.name),
            )
            for item in self.callables
        ]
        return SystemModel(
            entry_points=tuple(sorted(self.entry_points, key=self._priority)),
            components=tuple(self.components[name] for name in sorted(self.components)),
            callables=tuple(callables),
            files=len(self.modules),
        )

    def _defined_names(self) -> set[str]:
        """Names of the project's public functions and methods: what an entry point's call may be."""
        names = {target.rpartition(".")[2] for target in self.functions}
        for _module, node in self.classes.values():
            names |= {
                item.name for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            }
        return {name for name in names if not name.startswith("_")}

    def _priority(self, entry: EntryPoint) -> tuple[int, bool]:
        """Configured first, then a sure composition root, the web app, the command line, a root
        found by its name only, routes, and the library surface; the project's own packages first."""
        if entry.kind == "composition-root":
            rank = 1 if self.strength.get(entry.target, 0) >= 3 else 4
        else:
            rank = {"configured": 0, "web-app": 2, "cli": 3, "route": 5, "library": 6}[entry.kind]
        primary = self._primary
        return rank, bool(primary) and entry.target.split(".")[0] not in primary

    def _primary_packages(self) -> set[str]:
        """The project's own packages: those under src/, else the one named like the project, else
        every top-level package (a loose script or a tool folder is not one of them)."""
        root = self.config.root
        tops = {m.name.split(".")[0] for m in self.modules if m.path.name == "__init__.py" or "." in m.name}
        under_src = {m.name.split(".")[0] for m in self.modules if m.path.is_relative_to(root / "src")}
        if under_src:
            return under_src
        try:
            data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
            name = str(data.get("project", {}).get("name", "")).replace("-", "_").lower()
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            name = ""
        if name and name in tops:
            return {name}
        packaged = {top for top in tops if (root / top / "__init__.py").is_file()}
        return packaged

    # -- composition roots -------------------------------------------------------------------

    def _project_class(self, call: ast.expr, module: _Module) -> str:
        if not isinstance(call, ast.Call):
            return ""
        name = dotted(call.func)
        if not name:
            return ""
        resolved = _resolve(name, module)
        return resolved if resolved in self.classes else ""

    def _composition_roots(self) -> None:
        """Functions that build several project objects, hand some to others, and return the graph."""
        found: list[tuple[float, EntryPoint, _Module, ast.FunctionDef | ast.AsyncFunctionDef]] = []
        primary = self._primary_packages()
        for target, (module, node) in self.functions.items():
            if primary and module.name.split(".")[0] not in primary:
                continue
            local: dict[str, str] = {}
            built: set[str] = set()
            injected = 0
            for sub in ast.walk(node):
                if (
                    isinstance(sub, ast.Assign)
                    and len(sub.targets) == 1
                    and isinstance(sub.targets[0], ast.Name)
                ):
                    cls = self._project_class(sub.value, module)
                    if cls:
                        local[sub.targets[0].id] = cls
            for sub in ast.walk(node):
                cls = self._project_class(sub, module) if isinstance(sub, ast.Call) else ""
                if not cls or not isinstance(sub, ast.Call):
                    continue
                built.add(cls)
                arguments = [*sub.args, *(k.value for k in sub.keywords)]
                injected += sum(
                    1
                    for arg in arguments
                    if (isinstance(arg, ast.Name) and arg.id in local) or self._project_class(arg, module)
                )
            returned = [
                sub.value
                for sub in ast.walk(node)
                if isinstance(sub, ast.Return)
                and sub.value is not None
                and (
                    self._project_class(sub.value, module)
                    or (isinstance(sub.value, ast.Name) and sub.value.id in local)
                )
            ]
            if not returned or not built:
                continue
            distinct = sorted(built)
            # Services have behaviour; a function that nests data objects is not assembling a system.
            behaving = [cls for cls in distinct if self._has_behaviour(cls)]
            hinted = node.name in ROOT_NAMES or node.name.startswith(("create_", "make_", "build_"))
            where = f"{module.display}:{node.lineno}"
            if len(behaving) >= 2 and injected:
                names = ", ".join(c.rpartition(".")[2] for c in distinct[:4])
                reason = (
                    f"builds {len(distinct)} project classes ({names}), hands {injected} of them to "
                    "others and returns the graph"
                )
                if hinted:
                    reason += f"; its name {node.name!r} says so too"
                strength = len(distinct) + min(injected, 3) + (2.0 if hinted else 0.0)
            elif hinted:
                reason = (
                    f"its name {node.name!r} (a weaker hint), and it builds {distinct[0].rpartition('.')[2]}"
                )
                strength = 0.5
            else:
                continue
            found.append((strength, EntryPoint("composition-root", target, reason, where), module, node))
        found.sort(key=lambda item: (-item[0], item[1].target))
        for strength, entry, _module, _node in found[:3]:
            self.entry_points.append(entry)
            self.strength[entry.target] = strength
        configured = self.functions.get(self.config.system.replace(":", "."))
        if configured is not None:
            # The configured system is what the harness assembles: reach the graph from it.
            self._reach(*configured)
        elif found:
            self._reach(found[0][2], found[0][3])

    def _has_behaviour(self, cls: str) -> bool:
        _, node = self.classes[cls]
        return any(
            isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            and not item.name.startswith("_")
            and not any(dotted(d) == "property" for d in item.decorator_list)
            for item in node.body
        )

    def _reach(self, module: _Module, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Which project classes the root's result exposes, and by which attribute."""
        local: dict[str, str] = {}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Name):
                cls = self._project_class(sub.value, module)
                if cls:
                    local[sub.targets[0].id] = cls
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Return) or sub.value is None:
                continue
            value = sub.value
            if isinstance(value, ast.Name) and value.id in local:
                self._expose(local[value.id], "system.app")
                continue
            cls = self._project_class(value, module)
            if not cls or not isinstance(value, ast.Call):
                continue
            self.via.setdefault(cls, "system.app")
            for keyword in value.keywords:
                if keyword.arg is None:
                    continue
                held = self._project_class(keyword.value, module)
                if not held and isinstance(keyword.value, ast.Name):
                    held = local.get(keyword.value.id, "")
                if held:
                    self.via.setdefault(held, f"system.app.{keyword.arg}")
            self._expose(cls, "system.app")

    def _expose(self, cls: str, expression: str) -> None:
        """The class's annotated attributes of project classes, reachable through `expression`."""
        self.via.setdefault(cls, expression)
        module, node = self.classes[cls]
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                annotation = (
                    dotted(statement.annotation)
                    if not isinstance(statement.annotation, ast.Constant)
                    else str(statement.annotation.value)
                )
                held = _resolve(annotation, module) if annotation else ""
                if held in self.classes:
                    self.via.setdefault(held, f"{expression}.{statement.target.id}")

    # -- components ---------------------------------------------------------------------------

    def _add(self, name: str, kind: str, reason: str, location: str) -> None:
        if name not in self.components:
            self.components[name] = FoundComponent(name, kind, TREATMENT[kind], reason, location)

    def _components(self, module: _Module) -> None:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level:
                    continue
                for imported in names:
                    top = imported.split(".")[0]
                    if top in EXTERNAL_CLIENTS:
                        component, kind = EXTERNAL_CLIENTS[top]
                        what = "external client" if kind == "external" else "persistence library"
                        self._add(
                            component,
                            kind,
                            f"{module.name} imports {imported} ({what})",
                            f"{module.display}:{node.lineno}",
                        )
            elif isinstance(node, ast.Call):
                name = dotted(node.func)
                for suffix, component in CLOCK_CALLS.items():
                    if name == suffix or name.endswith("." + suffix):
                        self._add(
                            component,
                            "clock",
                            f"{module.name} calls {name}()",
                            f"{module.display}:{node.lineno}",
                        )
                if name.startswith("random.") or _resolve(name, module).startswith("random."):
                    self._add(
                        "randomness",
                        "clock",
                        f"{module.name} calls {name}()",
                        f"{module.display}:{node.lineno}",
                    )
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                snake = _snake(node.name)
                if node.name.endswith(REPOSITORY_SUFFIXES) and "database" not in self.components:
                    self._add(
                        "database",
                        "database",
                        f"{node.name} is a repository class",
                        f"{module.display}:{node.lineno}",
                    )
                elif node.name.endswith(("Service", "Manager", "Handler", "UseCase")):
                    self._add(
                        snake,
                        "own",
                        f"{node.name} is one of the application's own services",
                        f"{module.display}:{node.lineno}",
                    )

    # -- web applications ---------------------------------------------------------------------

    def _web(self, module: _Module) -> None:
        apps: dict[str, str] = {}
        for node in module.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
                kind = _resolve(dotted(node.value.func), module).rpartition(".")[2]
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name) and (kind in WEB_APPS or kind in ROUTERS):
                        apps[target.id] = kind
                        if kind in WEB_APPS:
                            self.entry_points.append(
                                EntryPoint(
                                    "web-app",
                                    f"{module.name}.{target.id}",
                                    f"a {WEB_APPS[kind]} application object",
                                    f"{module.display}:{node.lineno}",
                                )
                            )
            if isinstance(node, ast.FunctionDef) and node.name in ("create_app", "make_app"):
                for sub in ast.walk(node):
                    if (
                        isinstance(sub, ast.Call)
                        and _resolve(dotted(sub.func), module).rpartition(".")[2] in WEB_APPS
                    ):
                        self.entry_points.append(
                            EntryPoint(
                                "web-app",
                                f"{module.name}.{node.name}",
                                "an application factory that creates the web app",
                                f"{module.display}:{node.lineno}",
                            )
                        )
                        break
        for node in module.tree.body:
            if (
                isinstance(node, ast.Assign | ast.AnnAssign)
                and any(
                    isinstance(t, ast.Name) and t.id == "urlpatterns"
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                )
                and node.value is not None
            ):
                self.entry_points.append(
                    EntryPoint(
                        "web-app",
                        f"{module.name}.urlpatterns",
                        "Django URL configuration",
                        f"{module.display}:{node.lineno}",
                    )
                )
                self._django_routes(module, node.value)
        for function in ast.walk(module.tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in function.decorator_list:
                if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                    continue
                owner = dotted(decorator.func.value)
                method = decorator.func.attr
                if owner.split(".")[0] not in apps and not owner.endswith(
                    ("app", "router", "bp", "blueprint", "api")
                ):
                    continue
                path = (
                    decorator.args[0].value
                    if decorator.args and isinstance(decorator.args[0], ast.Constant)
                    else None
                )
                if not isinstance(path, str):
                    continue
                methods: list[str] = []
                if method in HTTP_METHODS:
                    methods = [method.upper()]
                elif method in ("route", "api_route", "websocket"):
                    for keyword in decorator.keywords:
                        if keyword.arg == "methods" and isinstance(
                            keyword.value, ast.List | ast.Tuple | ast.Set
                        ):
                            methods += [
                                str(e.value).upper()
                                for e in keyword.value.elts
                                if isinstance(e, ast.Constant)
                            ]
                    methods = methods or ["GET"]
                for verb in methods:
                    self._route(module, function, f"{verb} {path}")
        self._resource_routes(module)

    def _route(
        self, module: _Module, function: ast.FunctionDef | ast.AsyncFunctionDef, route: str, cls: str = ""
    ) -> None:
        """A route handled by `function`, a method of the resource class `cls` when one is given."""
        handler = ".".join(part for part in (module.name, cls, function.name) if part)
        self.callables.append(
            Callable(
                route,
                "route",
                function.name,
                "",
                module.name,
                _params(function, bool(cls)),
                " ".join([_doc(function), *_path_words(route.partition(" ")[2])]).strip(),
                f"{module.display}:{function.lineno}",
                handler=handler,
                via="system.client",
                calls=_called_names(function),
            )
        )
        self.entry_points.append(
            EntryPoint("route", route, f"handled by {handler}", f"{module.display}:{function.lineno}")
        )

    def _resource_routes(self, module: _Module) -> None:
        """Flask-RESTX's (and Flask-RESTPlus's) resource classes: `@ns.route("/path")` on a class
        whose `get`, `post`, ... methods each answer that path below the namespace's own path."""
        prefixes: dict[str, str] = {}
        for node in module.tree.body:
            if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
                continue
            kind = _resolve(dotted(node.value.func), module).rpartition(".")[2]
            if kind not in ("Namespace", "Api"):
                continue
            prefix = (
                _namespace_path(node.value)
                if kind == "Namespace"
                else _keyword_text(node.value, "prefix", "")
            )
            for target in node.targets:
                if isinstance(target, ast.Name) and prefix is not None:
                    prefixes[target.id] = prefix
        for cls in module.tree.body:
            if not isinstance(cls, ast.ClassDef):
                continue
            for decorator in cls.decorator_list:
                if not (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr == "route"
                    and dotted(decorator.func.value) in prefixes
                ):
                    continue
                for path in map(_text, decorator.args):
                    if path is None:  # a computed path; "" is the namespace's own
                        continue
                    full = (prefixes[dotted(decorator.func.value)] + path) or "/"
                    for function in cls.body:
                        if (
                            isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
                            and function.name in HTTP_METHODS
                        ):
                            self._route(module, function, f"{function.name.upper()} {full}", cls.name)

    def _django_routes(self, module: _Module, patterns: ast.expr) -> None:
        """`path("orders/", views.create_order)` entries: a route per method a view may answer."""
        for call in ast.walk(patterns):
            if not isinstance(call, ast.Call) or dotted(call.func).rpartition(".")[2] not in (
                "path",
                "re_path",
            ):
                continue
            if len(call.args) < 2 or not isinstance(call.args[0], ast.Constant):
                continue
            route = "/" + str(call.args[0].value).lstrip("^").rstrip("$").lstrip("/")
            view = call.args[1]
            if (
                isinstance(view, ast.Call)
                and isinstance(view.func, ast.Attribute)
                and view.func.attr == "as_view"
            ):
                view = view.func.value
            if isinstance(view, ast.Call):
                continue  # include(...): another URL configuration
            handler = _resolve(dotted(view), module) if dotted(view) else ""
            if not handler or handler.rpartition(".")[0] == "django.urls":
                continue
            name = handler.rpartition(".")[2]
            for verb in ("GET", "POST"):
                self.callables.append(
                    Callable(
                        f"{verb} {route}",
                        "route",
                        name,
                        "",
                        handler.rpartition(".")[0],
                        (),
                        " ".join(_path_words(route)),
                        f"{module.display}:{call.lineno}",
                        handler=handler,
                        via="system.client",
                    )
                )
                self.entry_points.append(
                    EntryPoint(
                        "route", f"{verb} {route}", f"handled by {handler}", f"{module.display}:{call.lineno}"
                    )
                )

    # -- command lines ------------------------------------------------------------------------

    def _cli(self, module: _Module) -> None:
        typer_apps = {
            t.id
            for n in module.tree.body
            if isinstance(n, ast.Assign)
            and isinstance(n.value, ast.Call)
            and _resolve(dotted(n.value.func), module).endswith("Typer")
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        uses_argparse = any(origin.startswith("argparse") for origin in module.imports.values())
        for node in module.tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                name = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)
                resolved = _resolve(name, module)
                is_click = resolved.startswith("click.") and resolved.rpartition(".")[2] in (
                    "command",
                    "group",
                )
                is_sub = name.endswith((".command", ".group")) and name.split(".")[0] not in module.imports
                is_typer = name.split(".")[0] in typer_apps and name.endswith(".command")
                if is_click or is_sub or is_typer:
                    self._command(module, node, f"a {'typer' if is_typer else 'click'} command")
                    break
            else:
                if node.name == "main" and uses_argparse:
                    self._command(module, node, "an argparse main()")

    def _command(self, module: _Module, node: ast.FunctionDef | ast.AsyncFunctionDef, reason: str) -> None:
        """A command-line entry point, and the command function as a callable to wire steps to."""
        target, location = f"{module.name}.{node.name}", f"{module.display}:{node.lineno}"
        self.entry_points.append(EntryPoint("cli", target, reason, location))
        self.callables.append(
            Callable(
                target,
                "command",
                node.name,
                "",
                module.name,
                _params(node, False),
                _doc(node),
                location,
                via="system.cli",
                calls=_called_names(node),
            )
        )

    def _scripts(self) -> None:
        for script in declared_scripts(self.config.root):
            if not script.gui:
                self.entry_points.append(
                    EntryPoint(
                        "cli",
                        script.spec.replace(":", "."),
                        f"{script.declared_in} {script.name}",
                        "setup.cfg" if script.declared_in.startswith("setup.cfg") else "pyproject.toml",
                    )
                )

    # -- the library surface: every public class method and function ----------------------------

    def _library(self) -> None:
        public = [
            m
            for m in self.modules
            if not any(part.startswith("_") and part != "__init__" for part in m.name.split("."))
        ]
        kinds = {entry.kind for entry in self.entry_points}
        for module in self.modules:
            for node in module.tree.body:
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    cls = f"{module.name}.{node.name}"
                    via = self.via.get(cls, "")
                    boundary = _boundary(module, node)
                    for item in node.body:
                        if (
                            isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                            and not item.name.startswith("_")
                            and not _is_property_accessor(item)
                        ):
                            self.callables.append(
                                Callable(
                                    f"{cls}.{item.name}",
                                    "method",
                                    item.name,
                                    node.name,
                                    module.name,
                                    _params(item, True),
                                    _doc(item) or _doc(node),
                                    f"{module.display}:{item.lineno}",
                                    via=via,
                                    boundary=boundary,
                                    reads=_is_property(item),
                                )
                            )
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith(
                    "_"
                ):
                    target = f"{module.name}.{node.name}"
                    roots = {e.target for e in self.entry_points if e.kind in ("composition-root", "web-app")}
                    if (
                        target in roots
                        or _is_cli_command(node)
                        or any(c.target == target or c.handler == target for c in self.callables)
                    ):
                        continue
                    self.callables.append(
                        Callable(
                            target,
                            "function",
                            node.name,
                            "",
                            module.name,
                            _params(node, False),
                            _doc(node),
                            f"{module.display}:{node.lineno}",
                        )
                    )
        if not kinds & {"composition-root", "web-app", "cli", "configured"}:
            for module in public[:20]:
                names = [
                    n.name
                    for n in module.tree.body
                    if isinstance(n, ast.ClassDef | ast.FunctionDef) and not n.name.startswith("_")
                ]
                if names:
                    self.entry_points.append(
                        EntryPoint(
                            "library",
                            module.name,
                            f"public API: {', '.join(names[:5])}",
                            f"{module.display}:1",
                        )
                    )


def _is_property(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        dotted(decorator).rpartition(".")[2] in ("property", "cached_property")
        for decorator in node.decorator_list
    )


def _is_cli_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A click or typer command (`@click.command()`, `@cli.group()`, `@app.command()`): called
    directly, it parses the process's own command line (pytest's) and exits, so it is not offered as
    a function to call; a declared console script is reached as a command instead."""
    for decorator in node.decorator_list:
        name = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)
        owner, _, last = name.rpartition(".")
        if owner and last in ("command", "group"):
            return True
    return False


def _is_property_accessor(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A property's setter or deleter (`@name.setter`): the property itself, defined above it, is
    what a step reads; the accessor is no method a step could call."""
    return any(
        isinstance(decorator, ast.Attribute) and decorator.attr in ("setter", "deleter")
        for decorator in node.decorator_list
    )


def _namespace_path(call: ast.Call) -> str | None:
    """A Flask-RESTX Namespace's path: `path=` (the third argument), else "/" and its name; None
    when the code computes it."""
    path = _keyword_text(call, "path")
    if path is None and len(call.args) >= 3:
        path = _text(call.args[2])
    if path is not None:
        return path.rstrip("/")
    name = _text(call.args[0]) if call.args else _keyword_text(call, "name")
    return f"/{name}".rstrip("/") if name is not None else None


def _keyword_text(call: ast.Call, name: str, absent: str | None = None) -> str | None:
    """The text of keyword argument `name`; `absent` without one, None when the code computes it."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return _text(keyword.value)
    return absent


def _text(node: ast.expr) -> str | None:
    """A string literal's text; None for any other expression."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _boundary(module: _Module, node: ast.ClassDef) -> str:
    """Whether a class stands at the system's edge: it wraps an external client, it is a store, or
    it is a port (a Protocol or an abstract base) that an adapter or a fake implements."""
    kinds = {EXTERNAL_CLIENTS[top][1] for top in _imported_tops(module) if top in EXTERNAL_CLIENTS}
    if "external" in kinds:
        return "external"
    if "database" in kinds or node.name.endswith(REPOSITORY_SUFFIXES):
        return "database"
    # A Protocol or an abstract base is a port: production plugs an adapter in, tests a fake.
    bases = {dotted(base).rpartition(".")[2] for base in node.bases}
    if bases & {"Protocol", "ABC"} or any(
        k.arg == "metaclass" and dotted(k.value).endswith("ABCMeta") for k in node.keywords
    ):
        return "port"
    return ""


def _imported_tops(module: _Module) -> set[str]:
    tops = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            tops |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            tops.add(node.module.split(".")[0])
    return tops


def _called_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    """The names a function calls, `f(...)` and `obj.f(...)`, in order, each once."""
    names = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Attribute):
                names.append(sub.func.attr)
            elif isinstance(sub.func, ast.Name):
                names.append(sub.func.id)
    return tuple(dict.fromkeys(names))


def _path_words(path: str) -> list[str]:
    return [word for word in re.split(r"[^A-Za-z0-9]+", path) if word]


def discover(config: Config) -> SystemModel:
    return _Scanner(config).scan()
