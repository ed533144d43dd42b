"""Gate walkthrough fixtures: a committed copy of the repository per module, a fresh copy of it
per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gate_repo import copy_repository


@pytest.fixture(scope="module")
def base_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_repository(tmp_path_factory.mktemp("base") / "repo")


@pytest.fixture
def repo(base_repo: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(base_repo, root, symlinks=True)
    return root
