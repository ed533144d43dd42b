"""The wheel is a real package: contracts and data files inside, usable from outside the source.

Built from a copy of the source in a temporary directory (`pip wheel --no-deps`, offline: the
build backend is a dev dependency), installed into a fresh virtualenv that borrows only the
third-party dependencies, and used from a directory that is not the source tree.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JUNK = (".venv", ".git", "var", "build", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis")
NOT_SHIPPED = {"registry/README.md"}  # documentation, not read at run time


def packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [p.rstrip("*") for p in config["tool"]["setuptools"]["packages"]["find"]["include"]]


def run(argv: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}  # no PYTHONPATH, no source tree
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*JUNK))
    out = tmp / "dist"
    built = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        cwd=tmp,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = out.glob("shop_events-*.whl")
    return found


def test_wheel_carries_contracts_and_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for package in packages():
        for path in (ROOT / package).rglob("*"):
            rel = path.relative_to(ROOT).as_posix()
            if path.is_file() and "__pycache__" not in rel and rel not in NOT_SHIPPED:
                expected.add(rel)
    assert expected - names == set(), "not in the wheel"
    assert "contracts/catalog.yaml" in names
    assert "services/inventory/seed_stock.json" in names


def test_installed_wheel_works_from_outside_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path).returncode == 0
    python = str(venv / "bin" / "python")
    installed = run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stderr
    # third-party dependencies from the test's own environment, appended after the venv's own
    # site-packages; its .pth files (the editable install of the source) are not processed
    site = Path(
        run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path
        ).stdout.strip()
    )
    (site / "borrowed-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()

    where = run(
        [
            python,
            "-c",
            "import json, avrokit, codegen, gate, registry, services, stack as s; print(json.dumps("
            "[m.__file__ for m in (avrokit, codegen, gate, registry, services, s)]))",
        ],
        work,
    )
    assert where.returncode == 0, where.stderr
    for module_file in json.loads(where.stdout):
        assert module_file.startswith(str(venv)), f"imported from {module_file}"

    # like `codegen --check`, on what was installed: the installed contracts are exactly the
    # schemas the installed event classes carry (the full check also needs the repo's ruff config)
    agree = run(
        [
            python,
            "-c",
            "from avrokit import compact_json; from avrokit.catalog import load_catalog; "
            "from services.events import TOPIC_TYPES; c = load_catalog(); "
            "print(sorted(n for n, t in c.topics.items() "
            "if compact_json(t.value.schema) != TOPIC_TYPES[n].AVRO_SCHEMA))",
        ],
        work,
    )
    assert agree.returncode == 0 and agree.stdout.strip() == "[]", agree.stdout + agree.stderr

    declared = run([python, "-m", "services.declarations"], work)
    assert declared.returncode == 0, declared.stderr
    assert set(json.loads(declared.stdout)) >= {"order", "payment", "inventory", "notification"}

    data = run(
        [
            python,
            "-c",
            "from avrokit.catalog import load_catalog; "
            "from services.inventory.store import DEFAULT_SEED_FILE; "
            "from services.notification.bootstrap import DEFAULT_PREFERENCES_FILE as P; "
            "c = load_catalog(); print(len(c.topics), DEFAULT_SEED_FILE.is_file(), P.is_file())",
        ],
        work,
    )
    assert data.returncode == 0, data.stderr
    topics, seed, prefs = data.stdout.split()
    assert int(topics) >= 10 and seed == prefs == "True"

    for argv in (
        ["registry", "serve", "--help"],
        ["stack", "--help"],
        ["stack.probe", "http://127.0.0.1:9"],
    ):
        result = run([python, "-m", *argv], work)
        expected = 1 if argv[0] == "stack.probe" else 0  # nothing listens on port 9
        assert result.returncode == expected, (argv, result.stderr)
