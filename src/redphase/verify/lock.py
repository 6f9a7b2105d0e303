"""`redphase.lock`: the record of every good red, and the green phase that is judged against it.

The lock is JSON: the standard library reads and writes it (TOML would need a writer that is not in
it), `sort_keys` and a fixed indent make it deterministic, and each function's normalised source is
a list of lines, so a change to a locked test shows in `git diff redphase.lock` line by line. The
source is kept in the lock itself, not in a side file, so that one committed file is enough to name
and diff every change.

Where tests run, the plugin records plain data for each scenario (its Gherkin lines, the keys of
the test functions that ran, which function each step ran, and its fixtures). Where reports
arrive, this module fingerprints those functions from the files and writes or checks the lock.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from redphase.verify import verdicts as v
from redphase.verify.testcode import FunctionSource, ValueSource, file_index, resolve_key

LOCK_NAME = "redphase.lock"
VERSION = 1


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Sources:
    """Every function of the test files, read once per file, by key."""

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self._files: dict[str, tuple[dict[str, FunctionSource], dict[str, ValueSource]]] = {}

    def _file(self, relative: str) -> tuple[dict[str, FunctionSource], dict[str, ValueSource]]:
        found = self._files.get(relative)
        if found is None:
            found = self._files[relative] = file_index(self.rootdir / relative, relative)
        return found

    def _index(self, relative: str) -> dict[str, FunctionSource]:
        return self._file(relative)[0]

    def get(self, key: str) -> FunctionSource | None:
        return self._index(key.split("::", 1)[0]).get(key)

    def value(self, key: str) -> ValueSource | None:
        """A module-level value of a test file, by `path::NAME`."""
        return self._file(key.split("::", 1)[0])[1].get(key)

    def hooks(self, test_file: str) -> dict[str, FunctionSource]:
        """The pytest hooks (`pytest_*` functions) of every conftest.py from the rootdir down to the
        folder of `test_file`: they run around the test, and one can change how it ends."""
        folders = Path(test_file).parent.parts
        found: dict[str, FunctionSource] = {}
        for depth in range(len(folders) + 1):
            relative = Path(*folders[:depth], "conftest.py").as_posix()
            if (self.rootdir / relative).is_file():
                for key, function in self._index(relative).items():
                    qualname = key.split("::", 1)[1]
                    if qualname.startswith("pytest_") and "." not in qualname:
                        found[key] = function
        return found

    def key(self, identity: str) -> str | None:
        """The key of the function a `code_identity` names, if its file still has it."""
        index = self._index(identity.split("::", 1)[0])
        return resolve_key(identity, {key: found.first_line for key, found in index.items()})


def resolved(recorded: dict[str, Any], sources: Sources) -> dict[str, Any]:
    """A scenario's recording with each function, as it ran, named by its key."""
    functions = {sources.key(identity) for identity in recorded.get("functions", [])}
    steps = [
        [line, (sources.key(identity) if identity else None) or ""]
        for line, identity in recorded.get("steps", [])
    ]
    fixtures = {name: sources.key(identity) for name, identity in recorded.get("fixtures", {}).items()}
    return {
        **recorded,
        "functions": sorted(key for key in functions if key is not None),
        "steps": steps,
        "fixtures": {name: key for name, key in fixtures.items() if key is not None},
    }


def entry(result: dict[str, Any], recorded: dict[str, Any], sources: Sources) -> dict[str, Any]:
    """The lock entry of one good red."""
    recorded = resolved(recorded, sources)
    functions: dict[str, Any] = {}
    for key in sorted(set(recorded.get("functions", []))):
        found = sources.get(key)
        if found is not None:
            functions[key] = {"sha256": found.sha256, "source": found.source.splitlines()}
    steps = [list(pair) for pair in recorded.get("steps", [])]
    fixtures = dict(sorted(recorded.get("fixtures", {}).items()))
    values = _locked_values(functions, sources)
    hooks = {
        key: {"sha256": found.sha256, "source": found.source.splitlines()}
        for key, found in sorted(sources.hooks(result["nodeid"].split("::", 1)[0]).items())
    }
    code = {"functions": functions, "steps": steps, "fixtures": fixtures, "values": values, "hooks": hooks}
    gherkin = list(recorded.get("gherkin", []))
    step = result.get("step") or {}
    return {
        "nodeid": result["nodeid"],
        "scenario": result.get("scenario"),
        "feature_file": result.get("feature_file"),
        "line": recorded.get("line"),
        "then": {
            "keyword": step.get("keyword"),
            "text": step.get("text"),
            "line": step.get("line"),
            "expected": result.get("expected", ""),
        },
        "gherkin": {"sha256": _digest(gherkin), "lines": gherkin},
        "code": {"sha256": _code_digest(code), **code},
    }


def _code_digest(code: dict[str, Any], parts: tuple[str, ...] = ("values", "hooks")) -> str:
    """The digest of an entry's test code. Values and hooks count only where there are any and
    `parts` names them, so that an entry locked before they were keeps its digest."""
    identity: dict[str, Any] = {
        "functions": {key: value["sha256"] for key, value in code["functions"].items()},
        "steps": code["steps"],
        "fixtures": code["fixtures"],
    }
    for part in parts:
        if code.get(part):
            identity[part] = {key: value["sha256"] for key, value in code[part].items()}
    return _digest(identity)


def _locked_values(functions: dict[str, Any], sources: Sources) -> dict[str, Any]:
    """The module-level values that the locked functions read, each from its own file."""
    values: dict[str, Any] = {}
    for key in functions:
        found = sources.get(key)
        for name in found.reads if found is not None else ():
            value = sources.value(f"{key.split('::', 1)[0]}::{name}")
            if value is not None:
                values[value.key] = {"sha256": value.sha256, "source": value.source.splitlines()}
    return dict(sorted(values.items()))


def read(rootdir: Path) -> dict[str, dict[str, Any]]:
    """The locked entries, each function with its source lines again."""
    path = rootdir / LOCK_NAME
    if not path.is_file():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    scenarios = document.get("scenarios") if isinstance(document, dict) else None
    if not isinstance(scenarios, dict):
        return {}
    sources = document.get("sources") or {}
    for item in scenarios.values():
        for function in item.get("code", {}).get("functions", {}).values():
            if isinstance(function.get("source"), str):
                function["source"] = list(sources.get(function["source"], []))
    return dict(scenarios)


def render(entries: dict[str, dict[str, Any]]) -> str:
    """The lock's text. Each distinct function source is stored once, under `sources`, by the
    sha256 of its text, and an entry's function names it: a harness method that every scenario
    ran is written once, not once per scenario."""
    sources: dict[str, list[str]] = {}
    scenarios: dict[str, Any] = json.loads(json.dumps(entries))  # a copy, cheaper than deepcopy
    for item in scenarios.values():
        for function in item["code"]["functions"].values():
            lines = function["source"]
            if isinstance(lines, list):
                name = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
                sources[name] = lines
                function["source"] = name
    document = {"version": VERSION, "scenarios": scenarios, "sources": sources}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(rootdir: Path, entries: dict[str, dict[str, Any]]) -> None:
    from redphase.verify.report import write_text_atomically

    path = rootdir / LOCK_NAME
    text = render(entries)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    write_text_atomically(path, text)
    # A file meant to be committed: the usual permissions, not those of a private temporary file.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


# -- red phase --------------------------------------------------------------------------------------


def update_red(
    rootdir: Path,
    results: list[dict[str, Any]],
    recordings: dict[str, dict[str, Any]],
    relock: list[str],
) -> dict[str, Any]:
    """Add every new good red to the lock; keep, and report, locked entries that are not good-red
    now or whose test changed; replace the entries named by `relock` only if they are good-red now."""
    locked = read(rootdir)
    sources = Sources(rootdir)
    notes: dict[str, Any] = {"added": [], "kept": [], "changed": [], "relocked": [], "refused": []}
    by_nodeid = {r["nodeid"]: r for r in results}
    for result in results:
        nodeid = result["nodeid"]
        recorded = recordings.get(nodeid)
        if result["verdict"] != v.GOOD_RED or recorded is None:
            if nodeid in locked:
                notes["kept"].append({"nodeid": nodeid, "verdict": result["verdict"]})
            continue
        new = entry(result, recorded, sources)
        if nodeid not in locked:
            locked[nodeid] = new
            notes["added"].append(nodeid)
        elif nodeid in relock:
            locked[nodeid] = new
            notes["relocked"].append(nodeid)
        elif _identity(locked[nodeid]) != _identity(new, like=locked[nodeid]):
            notes["changed"].append(nodeid)
    for nodeid in relock:
        if nodeid in notes["relocked"] or nodeid in notes["added"]:
            continue
        found = by_nodeid.get(nodeid)
        notes["refused"].append({"nodeid": nodeid, "verdict": found["verdict"] if found else "not run"})
    if locked or (rootdir / LOCK_NAME).is_file():
        write(rootdir, locked)
    notes["path"] = LOCK_NAME
    notes["entries"] = len(locked)
    return notes


def _identity(item: dict[str, Any], like: dict[str, Any] | None = None) -> tuple[str, str]:
    """The digests of an entry's Gherkin and test code; `like` an entry locked before values or
    hooks were: the code's digest made of what that entry holds."""
    if like is None:
        return item["gherkin"]["sha256"], item["code"]["sha256"]
    parts = tuple(part for part in ("values", "hooks") if part in like["code"])
    return item["gherkin"]["sha256"], _code_digest(item["code"], parts)


# -- green phase ------------------------------------------------------------------------------------


def judge_green(
    rootdir: Path,
    results: list[dict[str, Any]],
    recordings: dict[str, dict[str, Any]],
    judge_missing: bool = True,
) -> list[dict[str, Any]]:
    """Each result with its green-phase verdict, and one `missing` result per locked scenario or
    Examples row that no longer exists (unless the run was narrowed to some tests, where a locked
    test that did not run may simply not have been selected)."""
    locked = read(rootdir)
    sources = Sources(rootdir)
    judged = [green_result(result, locked, recordings.get(result["nodeid"]), sources) for result in results]
    if judge_missing:
        judged += _missing(rootdir, locked, results, {result["nodeid"] for result in results})
    return judged


def green_result(
    result: dict[str, Any],
    locked: dict[str, dict[str, Any]],
    recording: dict[str, Any] | None,
    sources: Sources,
) -> dict[str, Any]:
    """One test's green-phase result: its red-phase result judged against its lock entry."""
    nodeid = result["nodeid"]
    item = locked.get(nodeid)
    result = dict(result)
    red = result["verdict"]
    if item is None:
        if red == v.PASSED:
            result["verdict"] = v.NEVER_RED
            result["why"] = "it passes and has no lock entry: it was never seen failing"
            result["hint"] = (
                "make it fail for the right reason first (revert the implementation, verify, lock), "
                "or delete it"
            )
        return result
    result["red_verdict"] = red
    result["lock"] = item
    changes = diff(item, recording, sources)
    if changes:
        result["verdict"] = v.TAMPERED
        result["diff"] = changes
        result["why"] = "changed since it was locked: " + "; ".join(c["name"] for c in changes)
        result["hint"] = (
            "restore the locked test (see the diff), or show the changed test red again with "
            f"`redphase verify --relock {nodeid}` before implementing"
        )
    elif red == v.PASSED:
        result["verdict"] = v.GREEN
        result["why"] = (
            "it was good-red in the lock, passes now, and neither its Gherkin nor its test code changed"
        )
        result["hint"] = ""
    elif red in (v.GOOD_RED, v.UNWIRED_RED):
        result["verdict"] = v.STILL_RED
        result["why"] = "it is in the lock and still fails at its Then step"
        result["hint"] = "implement the behaviour the failed check names; do not change the test"
    return result


def _missing(
    rootdir: Path,
    locked: dict[str, dict[str, Any]],
    results: list[dict[str, Any]],
    seen: set[str],
) -> list[dict[str, Any]]:
    """A locked nodeid is missing when its module ran in this session, or is gone, and it did not."""
    ran_files = {r["nodeid"].split("::", 1)[0] for r in results if "::" in r["nodeid"]}
    broken = {r["nodeid"].split("::", 1)[0] for r in results if r["verdict"] == v.COLLECTION_ERROR}
    missing: list[dict[str, Any]] = []
    for nodeid in sorted(set(locked) - seen):
        module = nodeid.split("::", 1)[0]
        if module in broken or (module not in ran_files and (rootdir / module).is_file()):
            continue  # its module could not be collected (that verdict stands), or was not run
        item = locked[nodeid]
        missing.append(
            {
                "nodeid": nodeid,
                "verdict": v.MISSING,
                "why": "it is in the lock, but the scenario or Examples row no longer exists",
                "feature": None,
                "feature_file": item.get("feature_file"),
                "scenario": item.get("scenario"),
                "step": None,
                "phase": None,
                "exception": None,
                "message": "",
                "hint": "restore the scenario or Examples row; a locked scenario may not be deleted to pass",
                "reproduce": "",
                "purpose": f"Scenario: {item.get('scenario')} ({item.get('feature_file')}:{item.get('line')})",
                "lock": item,
            }
        )
    return missing


def _unified(old: list[str], new: list[str], name: str) -> str:
    return "\n".join(difflib.unified_diff(old, new, f"locked/{name}", f"now/{name}", lineterm="", n=2))


def diff(item: dict[str, Any], recorded: dict[str, Any] | None, sources: Sources) -> list[dict[str, Any]]:
    """Every change since `item` was locked: each Gherkin step, function, binding and fixture."""
    changes: list[dict[str, Any]] = []
    if recorded is not None:
        recorded = resolved(recorded, sources)
        old_lines = list(item["gherkin"]["lines"])
        new_lines = list(recorded.get("gherkin", []))
        if old_lines != new_lines:
            changed = [line for line in old_lines if line not in new_lines] + [
                line for line in new_lines if line not in old_lines
            ]
            name = "Gherkin: " + ", ".join(f"'{line}'" for line in changed[:4])
            changes.append(
                {
                    "kind": "gherkin",
                    "name": name,
                    "file": item.get("feature_file"),
                    "diff": _unified(old_lines, new_lines, str(item.get("feature_file"))),
                }
            )
    for key, locked in sorted(item["code"]["functions"].items()):
        now = sources.get(key)
        if now is None:
            changes.append(
                {
                    "kind": "function",
                    "name": f"{key} (removed or renamed)",
                    "function": key,
                    "diff": _unified(locked["source"], [], key),
                }
            )
        elif now.sha256 != locked["sha256"]:
            changes.append(
                {
                    "kind": "function",
                    "name": key,
                    "function": key,
                    "diff": _unified(locked["source"], now.source.splitlines(), key),
                }
            )
    changes += _value_changes(item, sources)
    if "hooks" in item["code"]:  # a lock written before hooks were locked has none to compare
        changes += _hook_changes(item, sources)
    if recorded is not None:
        old_steps = [list(pair) for pair in item["code"].get("steps", [])]
        new_steps = [list(pair) for pair in recorded.get("steps", [])]
        old_map = {str(pair[0]): str(pair[1]) for pair in old_steps}
        for line, key in new_steps:
            if line in old_map and old_map[line] != key:
                changes.append(
                    {
                        "kind": "step",
                        "name": f"step '{line}' now runs {key} (locked: {old_map[line]})",
                        "diff": _unified([f"{line} -> {old_map[line]}"], [f"{line} -> {key}"], "steps"),
                    }
                )
        old_fixtures = item["code"].get("fixtures", {})
        new_fixtures = recorded.get("fixtures", {})
        for name in sorted(set(old_fixtures) | set(new_fixtures)):
            if old_fixtures.get(name) != new_fixtures.get(name):
                before = [f"{name} -> {old_fixtures[name]}"] if name in old_fixtures else []
                after = [f"{name} -> {new_fixtures[name]}"] if name in new_fixtures else []
                changes.append(
                    {
                        "kind": "fixture",
                        "name": f"fixture '{name}'"
                        + (" added" if not before else " removed" if not after else " replaced"),
                        "diff": _unified(before, after, "fixtures"),
                    }
                )
    return changes


def _value_changes(item: dict[str, Any], sources: Sources) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    for key, locked in sorted(item["code"].get("values", {}).items()):
        now = sources.value(key)
        if now is None or now.sha256 != locked["sha256"]:
            after = now.source.splitlines() if now is not None else []
            changes.append(
                {
                    "kind": "value",
                    "name": f"{key} (a module-level value the test reads)"
                    + (" removed" if now is None else ""),
                    "diff": _unified(locked["source"], after, key),
                }
            )
    return changes


def _hook_changes(item: dict[str, Any], sources: Sources) -> list[dict[str, Any]]:
    locked: dict[str, Any] = item["code"]["hooks"]
    now = sources.hooks(item["nodeid"].split("::", 1)[0])
    changes: list[dict[str, Any]] = []
    for key in sorted(set(locked) | set(now)):
        before = locked[key]["source"] if key in locked else []
        after = now[key].source.splitlines() if key in now else []
        if key in locked and key in now and locked[key]["sha256"] == now[key].sha256:
            continue
        state = "added" if key not in locked else "removed" if key not in now else "changed"
        changes.append(
            {
                "kind": "hook",
                "name": f"{key} (a pytest hook around the test) {state}",
                "diff": _unified(before, after, key),
            }
        )
    return changes
