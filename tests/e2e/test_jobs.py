"""`redphase verify --jobs N`: shards that each collect their share, judged as the serial run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from redphase.verify.shards import ShardPlan, Share
from tests.verify.projects import write_project

_OUTPUTS = ("verdicts.json", "gaps.md", "report.html", "redphase.lock")


def _verify(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "redphase",
            "verify",
            "--json=verdicts.json",
            "--report=gaps.md",
            "--html=report.html",
            "--messages=run.ndjson",
            *args,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "PYTHONHASHSEED": "0"},
        check=False,
    )


def _normalised(root: Path, name: str) -> str:
    """The output with what differs between two runs of the same suite taken out: the project's
    folder, object addresses, and the port a refused connection went to."""
    text = (root / name).read_text(encoding="utf-8").replace(str(root), "<root>")
    text = re.sub(r"0x[0-9a-f]+", "0x?", text)
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:?", text)


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = write_project(tmp_path_factory.mktemp("serial") / "project")
    return root, _verify(root)


@pytest.mark.parametrize("jobs", [2, 3])
def test_jobs_give_the_serial_runs_verdicts_reports_and_lock(
    serial: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path, jobs: int
) -> None:
    serial_root, serial_run = serial
    root = write_project(tmp_path / "project")
    completed = _verify(root, f"--jobs={jobs}")
    assert completed.returncode == serial_run.returncode == 1, completed.stdout + completed.stderr
    for name in _OUTPUTS:
        assert _normalised(root, name) == _normalised(serial_root, name), name
    document = json.loads((root / "verdicts.json").read_text(encoding="utf-8"))
    assert len(document["results"]) > 20
    # Cucumber Messages carry times, which differ; every envelope is there all the same.
    kinds = [
        [next(iter(json.loads(line))) for line in (r / "run.ndjson").open()] for r in (root, serial_root)
    ]
    assert kinds[0] == kinds[1]
    # One verdict summary, for the whole run, after every shard's own output.
    assert completed.stdout.count("redphase verdicts") == 1
    assert f"shard {jobs} of {jobs}" in completed.stdout


def _collected(root: Path, *args: str) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return {line for line in completed.stdout.splitlines() if "::" in line}


@pytest.mark.parametrize("named", [(), ("tests/test_cart.py", "tests/test_kinds.py")], ids=["walk", "named"])
def test_each_shard_runs_only_its_share_and_together_they_run_everything(
    tmp_path: Path, named: tuple[str, ...]
) -> None:
    root = write_project(tmp_path / "project")
    shards = [
        _collected(
            root,
            "--redphase",
            f"--redphase-shard={number}/2",
            f"--redphase-json={tmp_path}/{number}.json",
            *named,
        )
        for number in (1, 2)
    ]
    everything = _collected(root, *named)
    assert shards[0]
    assert shards[1]
    assert not shards[0] & shards[1]
    assert shards[0] | shards[1] == everything


def test_a_conftest_that_fails_to_load_gives_the_serial_verdict(tmp_path: Path) -> None:
    runs = []
    for name in ("serial", "jobs"):
        root = write_project(tmp_path / name)
        (root / "conftest.py").write_text("import a_module_nobody_installed\n", encoding="utf-8")
        completed = _verify(root, *(("--jobs=2",) if name == "jobs" else ()))
        runs.append((completed.returncode, _normalised(root, "verdicts.json")))
    assert runs[0] == runs[1]
    assert runs[0][0] == 1
    assert '"collection-error"' in runs[0][1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--jobs=2", "--", "-n", "2"), "pytest-xdist's -n"),
        (("--jobs=2", "--", "--numprocesses=2"), "pytest-xdist's -n"),
        (("--jobs=2", "--", "--junitxml=out.xml"), "--junitxml"),
        (("--jobs=0",), "--jobs"),
        (("--jobs=many",), "--jobs"),
    ],
)
def test_what_cannot_be_split_is_refused_before_anything_runs(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    root = write_project(tmp_path / "project")
    completed = _verify(root, *args)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert not (root / "verdicts.json").exists()
    assert not (root / "out.xml").exists()


def test_xdist_that_the_project_turns_on_is_turned_off_in_each_shard(tmp_path: Path) -> None:
    pytest.importorskip("xdist")
    root = write_project(tmp_path / "project")
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert 'addopts = ["--strict-markers"]' in text
    pyproject.write_text(
        text.replace('addopts = ["--strict-markers"]', 'addopts = ["--strict-markers", "-n", "2"]'),
        encoding="utf-8",
    )
    completed = _verify(root, "--jobs=2", "--", "-n", "0")
    assert completed.returncode == 1, completed.stderr
    completed = _verify(root, "--jobs=2")
    assert completed.returncode == 1, completed.stderr
    # xdist announces its workers ("2 workers [16 items]"); a shard that started none says nothing.
    assert not re.search(r"\d+ workers? \[", completed.stdout), completed.stdout
    assert json.loads((root / "verdicts.json").read_text(encoding="utf-8"))["results"]


def _tree(root: Path, sizes: dict[str, int]) -> None:
    for name, size in sizes.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#" * size, encoding="utf-8")


def _plans(root: Path, count: int) -> list[ShardPlan]:
    return [
        ShardPlan.of(Share(n, count), root, [str(root / "tests")], [], ["test_*.py"])
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_a_plan_gives_each_file_to_one_share_and_balances_their_weight(tmp_path: Path, count: int) -> None:
    sizes = {f"tests/test_{n}.py": 100 * (n % 7 + 1) for n in range(23)}
    sizes |= {"tests/sub/test_deep.py": 900, "tests/conftest.py": 10, "tests/sub/__init__.py": 0}
    sizes |= {"tests/data.txt": 5, "tests/.hidden/test_hidden.py": 50, "tests/helpers.py": 70}
    _tree(tmp_path, sizes)
    plans = _plans(tmp_path, count)
    shared = {"tests/conftest.py", "tests/sub/__init__.py", "tests/data.txt"}
    loads = []
    for plan in plans:
        kept = {name for name in sizes if not plan.ignores(tmp_path / name)}
        assert shared <= kept
        walked = kept - shared - {"tests/.hidden/test_hidden.py", "tests/helpers.py"}
        loads.append(sum(sizes[name] for name in walked))
    for name in set(sizes) - shared:
        # Outside the plan (a hidden folder, a file that is not a test module), a checksum decides.
        assert sum(not plan.ignores(tmp_path / name) for plan in plans) == 1, name
        assert sum(plan.runs(tmp_path / name, f"{name}::test_x") for plan in plans) == 1, name
    for name in shared:
        assert [plan.runs(tmp_path / name, f"{name}::test_x") for plan in plans] == [True] + [False] * (
            count - 1
        )
    assert max(loads) - min(loads) <= 900
    assert sum(loads) == sum(sizes.values()) - 15 - 50 - 70


def test_a_module_binding_most_features_is_shared_out_test_by_test(tmp_path: Path) -> None:
    """jrnl's layout: one module, one scenarios() call per feature file, and a few unit test files."""
    (tmp_path / "tests/features").mkdir(parents=True)
    for n in range(5):
        (tmp_path / f"tests/features/f{n}.feature").write_text("Feature: F\n" + "  Scenario: S\n" * 200)
    binder = "from pytest_bdd import scenarios\n\n" + "".join(
        f'scenarios("features/f{n}.feature")\n' for n in range(5)
    )
    (tmp_path / "tests/test_features.py").write_text(binder, encoding="utf-8")
    _tree(tmp_path, {f"tests/unit/test_u{n}.py": 300 for n in range(4)})
    plans = _plans(tmp_path, 2)
    binder_path = tmp_path / "tests/test_features.py"
    assert not any(plan.ignores(binder_path) for plan in plans)
    nodeids = [f"tests/test_features.py::test_s[{n}]" for n in range(1000)]
    counts = [sum(plan.runs(binder_path, nodeid) for nodeid in nodeids) for plan in plans]
    assert sum(counts) == 1000
    assert min(counts) > 400
    for nodeid in nodeids:
        assert sum(plan.runs(binder_path, nodeid) for plan in plans) == 1
    units = [[plan.ignores(tmp_path / f"tests/unit/test_u{n}.py") for n in range(4)] for plan in plans]
    assert units[0] == [not ignored for ignored in units[1]]
    assert units[0].count(True) == 2


def test_each_shard_is_told_which_it_is(tmp_path: Path) -> None:
    """A suite that keeps a resource per process names it by REDPHASE_SHARD (xdist's worker_id is
    "master" in every shard)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n', encoding="utf-8")
    for name in ("a", "b", "c", "d"):
        (tmp_path / "tests" / f"test_{name}.py").parent.mkdir(exist_ok=True)
        (tmp_path / "tests" / f"test_{name}.py").write_text(
            "import os\nfrom pathlib import Path\n\n\n"
            f"def test_{name}() -> None:\n"
            f'    Path("{name}.shard").write_text(os.environ["REDPHASE_SHARD"])\n',
            encoding="utf-8",
        )
    completed = _verify(tmp_path, "--jobs=2")
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    shards = {path.read_text() for path in tmp_path.glob("*.shard")}
    assert len(list(tmp_path.glob("*.shard"))) == 4
    assert shards == {"1/2", "2/2"}


def test_a_share_is_k_of_n() -> None:
    assert str(Share.parse("2/3")) == "2/3"
    for wrong in ("0/2", "3/2", "2", "a/b", "1/0"):
        with pytest.raises(Exception, match="K/N"):
            Share.parse(wrong)


def test_plain_pytest_and_a_copy_of_the_project_are_untouched_by_sharding(tmp_path: Path) -> None:
    """Without --redphase-shard nothing is ignored: the plugin's hook leaves collection alone."""
    root = write_project(tmp_path / "project")
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    counts = []
    for where, args in ((root, ["--redphase"]), (copy, [])):
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", *args],
            cwd=where,
            capture_output=True,
            text=True,
            check=False,
        )
        counts.append(sum("::" in line for line in completed.stdout.splitlines()))
    assert counts[0] == counts[1] > 20


def _plain_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in {"pyproject.toml": '[project]\nname = "plain"\nversion = "0"\n', **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_file_shared_test_by_test_runs_each_hash_ordered_case_once(tmp_path: Path) -> None:
    ran = tmp_path / "ran.txt"
    values = ", ".join(f'("{letter}", {n})' for n, letter in enumerate("abcdefghijklmnop"))
    root = _plain_project(
        tmp_path / "project",
        {
            # Heavier than a fair share: its tests are shared out one by one.
            "tests/test_set.py": "import pytest\n\n"
            + "# padding\n" * 200
            + f"VALUES = {{{values}}}\n\n\n@pytest.mark.parametrize('pair', VALUES)\ndef test_pair(pair):\n"
            + f"    with open({str(ran)!r}, 'a') as handle:\n        handle.write(pair[0] + '\\n')\n",
            "tests/test_small.py": "def test_small():\n    pass\n",
        },
    )
    for _ in range(2):
        ran.unlink(missing_ok=True)
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "redphase",
                "verify",
                "--no-lock",
                "--jobs=2",
                "--",
                "-p",
                "no:cacheprovider",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            env={key: value for key, value in os.environ.items() if key != "PYTHONHASHSEED"},
            check=False,
        )
        assert completed.returncode == 1, completed.stdout + completed.stderr  # nothing there is a scenario
        assert sorted(ran.read_text(encoding="utf-8").split()) == list("abcdefghijklmnop")


@pytest.mark.parametrize(
    ("setting", "args", "message"),
    [
        ('addopts = "--junitxml=out.xml"', (), "--junitxml"),
        ("", ("--", "-x"), "--maxfail"),
        ("", ("--", "--maxfail=2"), "--maxfail"),
    ],
)
def test_options_the_projects_settings_add_are_refused_as_the_command_lines_are(
    tmp_path: Path, setting: str, args: tuple[str, ...], message: str
) -> None:
    root = _plain_project(
        tmp_path / "project",
        {
            "pyproject.toml": f'[project]\nname = "plain"\nversion = "0"\n[tool.pytest.ini_options]\n{setting}\n',
            "tests/test_a.py": "def test_a():\n    pass\n",
            "tests/test_b.py": "def test_b():\n    pass\n",
        },
    )
    completed = _verify(root, "--jobs=2", *args)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert message in completed.stdout + completed.stderr
    assert not (root / "out.xml").exists()


def test_xdist_turned_off_by_the_project_leaves_the_shards_running(tmp_path: Path) -> None:
    root = _plain_project(tmp_path / "project", {"tests/test_a.py": "def test_a():\n    pass\n"})
    for off in ("-pno:xdist", "-p no:xdist"):
        completed = _verify(root, "--jobs=2", "--", *off.split())
        assert completed.returncode == 1, completed.stdout + completed.stderr
        assert '"not-scenario"' in (root / "verdicts.json").read_text(encoding="utf-8")


def test_collection_errors_come_in_the_order_of_testpaths(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "plain"\nversion = "0"\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests/z", "tests/a"]\n',
        "tests/z/test_zerr.py": "import nowhere_z\n",
        "tests/a/test_aerr.py": "import nowhere_a\n",
        "tests/a/test_fine.py": "def test_fine():\n    pass\n",
    }
    orders = []
    for name, args in (("serial", ()), ("jobs", ("--jobs=2",))):
        root = _plain_project(tmp_path / name, files)
        _verify(root, *args)
        document = json.loads((root / "verdicts.json").read_text(encoding="utf-8"))
        orders.append([result["nodeid"] for result in document["results"]])
    assert orders[0] == orders[1]
    assert orders[0][:2] == ["tests/z/test_zerr.py", "tests/a/test_aerr.py"]


def test_a_shard_without_a_file_to_write_to_is_a_usage_error(tmp_path: Path) -> None:
    root = _plain_project(tmp_path / "project", {"tests/test_a.py": "def test_a():\n    pass\n"})
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--redphase", "--redphase-shard=1/2"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 4
    assert "--redphase-json" in completed.stderr
