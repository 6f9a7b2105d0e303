"""The project's formatter, with the project's settings (config.Formatting), over what scaffold renders.

Rendered code is black's default output by construction (render.shapes), and that claim holds only
where CI checks it (`hand_layout_holds`): black's defaults at the line lengths and in the black
releases the layout tests run against. Then black only sees the rare file whose layout we do not claim to know,
and black is neither imported nor run when there is none. Any other configuration formats every file.

black runs in-process, with one Mode for the whole run, on both cores for large batches. A project
that configures ruff and not black is formatted by ruff itself, in one run over every file: ruff's
formatter is black-like but not black, and quote-style "single" has no black equivalent at all. When no
ruff can be found, black formats with the equivalent mode and scaffold warns that quotes may differ.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redphase.diagnostics import InternalError, UsageError
from redphase.formatter_settings import Formatting
from redphase.installed import release, version
from redphase.parse.stream import fork_is_safe
from redphase.render.shapes import LINE_LENGTH

if TYPE_CHECKING:
    from redphase.render.renderer import Python

# Below this many files a second process costs more than it saves.
PARALLEL_FROM = 24
# The black releases whose output the hand layout is checked against: CI runs the layout tests
# (tests/unit/test_layout_is_blacks.py) on the newest black and on the oldest that pyproject.toml
# allows. black changes its stable style only in a new year's first release, so a black from a year
# CI has not seen formats every file until the layout tests have passed on it and this is raised.
# (They also pass on 25.1.0, run by hand when this range was set.)
HAND_LAYOUT_BLACK = ((24, 1), (27, 0))
# The line lengths the layout tests check the hand layout at: black's default, and the common
# settings of projects that configure one. Any other length formats every file with black.
HAND_LAYOUT_LINE_LENGTHS = (LINE_LENGTH, 100, 120)
DEFAULT = Formatting()
RUFF_BATCH = 400  # files per ruff run: keeps the command line short


def hand_layout_holds(formatting: Formatting) -> bool:
    """Whether the files the renderer marks exact are already what this project's formatter writes.

    The layout tests check black's defaults at each of HAND_LAYOUT_LINE_LENGTHS, with and without
    string normalization and the magic trailing comma, for inferred targets and for Python 3.8 and later.
    """
    if (
        formatting.tool != "black"
        or formatting.line_length not in HAND_LAYOUT_LINE_LENGTHS
        or formatting.preview
    ):
        return False
    if not all(_minor(target) >= 8 for target in formatting.target_versions):
        return False
    installed = release(version("black"))
    return installed is not None and HAND_LAYOUT_BLACK[0] <= installed < HAND_LAYOUT_BLACK[1]


def _minor(target: str) -> int:
    """3.x's x of a target such as "py311"; -1 for anything else."""
    digits = target.lower().removeprefix("py3")
    return int(digits) if digits.isdigit() and target.lower().startswith("py3") else -1


@lru_cache(maxsize=4)
def _mode(formatting: Formatting) -> Any:
    from black.mode import Mode

    return Mode(
        target_versions=_targets(formatting),
        line_length=formatting.line_length,
        string_normalization=not formatting.skip_string_normalization,
        magic_trailing_comma=not formatting.skip_magic_trailing_comma,
        # ruff's preview is not black's: the fallback for a ruff project formats in black's stable style.
        preview=formatting.preview and formatting.tool == "black",
    )


def _targets(formatting: Formatting) -> set[Any]:
    from black.mode import TargetVersion

    if formatting.tool == "ruff" and formatting.target_versions:
        # ruff names the oldest version to support; black wants every version the code must run on.
        oldest = _minor(formatting.target_versions[0])
        return {target for target in TargetVersion if _minor(target.name) >= oldest}
    if formatting.target_versions:
        try:
            return {TargetVersion[target.upper()] for target in formatting.target_versions}
        except KeyError as error:
            raise UsageError(f"[tool.black] target-version: black knows no {error.args[0].lower()}") from None
    if formatting.requires_python:
        # As black's own command line does: inferred from [project] requires-python.
        from black.files import infer_target_version

        inferred = infer_target_version({"project": {"requires-python": formatting.requires_python}})
        return set(inferred or ())
    return set()  # black detects the target versions from each file


def format_python(source: str, formatting: Formatting = DEFAULT) -> str:
    import black
    from black.report import NothingChanged

    try:
        return str(black.format_str(source, mode=_mode(formatting)))
    except NothingChanged:
        return source
    except black.parsing.InvalidInput as error:
        first = source.lstrip().splitlines()[0][:80] if source.strip() else ""
        raise InternalError(
            f"the code rendered for a file starting {first!r} does not parse ({error}); nothing was "
            "written. This is a bug in redphase: please report it with the feature file."
        ) from error


def format_many(
    sources: Sequence[str], formatting: Formatting = DEFAULT, root: Path | None = None
) -> list[str]:
    """Every source formatted, in order, by the project's formatter."""
    if not sources:
        return []
    ruff = ruff_binary() if formatting.tool == "ruff" else None
    if ruff is not None:
        return format_with_ruff(sources, ruff, root / "pyproject.toml" if root else None)
    return _format_with_black(sources, formatting)


def _format_with_black(sources: Sequence[str], formatting: Formatting) -> list[str]:
    """Large batches use forked workers that share black's import."""
    workers = min(os.cpu_count() or 1, 4)
    one = partial(format_python, formatting=formatting)
    # Forked as the parsing child is, through the same gate: never from a process running threads.
    if len(sources) < PARALLEL_FROM or workers < 2 or not fork_is_safe():
        return [one(source) for source in sources]
    _mode(formatting)
    import multiprocessing  # here: its import costs a small run more than its formatting

    try:
        pool = multiprocessing.get_context("fork").Pool(workers)
    except OSError:  # no semaphores in some sandboxes: format in this process instead
        return [one(source) for source in sources]
    with pool:
        return pool.map(one, sources, chunksize=max(1, len(sources) // (workers * 4)))


def ruff_binary() -> str | None:
    """The ruff installed beside redphase, else the first on PATH; None when there is none."""
    try:
        from ruff.__main__ import find_ruff_bin

        return os.fsdecode(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        import shutil

        return shutil.which("ruff")


def format_with_ruff(sources: Sequence[str], ruff: str, pyproject: Path | None) -> list[str]:
    """`ruff format` over copies of every source, with the project's pyproject.toml as its configuration."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="redphase-ruff-") as folder:
        paths = [os.path.join(folder, f"module_{index}.py") for index in range(len(sources))]
        for path, source in zip(paths, sources, strict=True):
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write(source)
        config = ["--config", str(pyproject)] if pyproject is not None and pyproject.is_file() else []
        for start in range(0, len(paths), RUFF_BATCH):
            command = [ruff, "format", "--no-cache", "--quiet", *config, *paths[start : start + RUFF_BATCH]]
            completed = subprocess.run(command, capture_output=True, text=True, check=False)
            if completed.returncode != 0:
                raise UsageError(f"ruff format failed ({ruff}): {completed.stderr.strip()[-2000:]}")
        out = []
        for path in paths:
            with open(path, encoding="utf-8", newline="") as handle:
                out.append(handle.read())
        return out


def formatter_warning(formatting: Formatting) -> str | None:
    """What the project's configuration asks that this run cannot give it, if anything."""
    if formatting.tool == "ruff" and ruff_binary() is None:
        quotes = " single quotes and" if formatting.quote_style == "single" else ""
        return (
            f"{formatting.source} configures ruff, but no ruff is installed: formatted by black with "
            f"the equivalent settings;{quotes} ruff's own differences from black are not applied"
        )
    return None


def describe(formatting: Formatting) -> dict[str, Any]:
    """The formatter settings a run uses, as `redphase plan` shows them."""
    data: dict[str, Any] = {
        "tool": formatting.tool,
        "source": formatting.source,
        "line_length": formatting.line_length,
        "target_versions": list(formatting.target_versions),
        # Without target versions, black infers them from this, as its own command line does.
        "requires_python": formatting.requires_python,
        "skip_string_normalization": formatting.skip_string_normalization,
        "skip_magic_trailing_comma": formatting.skip_magic_trailing_comma,
        "quote_style": formatting.quote_style,
        "preview": formatting.preview,
    }
    ruff = ruff_binary() if formatting.tool == "ruff" else None
    if ruff is not None:
        import subprocess

        named = subprocess.run([ruff, "--version"], capture_output=True, text=True, check=False).stdout
        data["formatter"] = named.strip() or "ruff"
    else:
        data["formatter"] = f"black {version('black') or '(version unknown)'}"
    data["hand_layout"] = hand_layout_holds(formatting)
    return data


def formatted(
    rendered: Sequence[Python], formatting: Formatting = DEFAULT, root: Path | None = None
) -> list[str]:
    """Each source as the project's formatter writes it; exact sources skip it where the claim holds."""
    trusted = hand_layout_holds(formatting)
    todo = [index for index, python in enumerate(rendered) if not (python.exact and trusted)]
    out = [python.source for python in rendered]
    for index, source in zip(
        todo, format_many([out[index] for index in todo], formatting, root), strict=True
    ):
        out[index] = source
    return out
