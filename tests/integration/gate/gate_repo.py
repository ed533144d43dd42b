"""Helpers of the gate walkthroughs: a temporary copy of the repository (contracts, codegen, gate,
generated events) with its own git history, edits committed as a schema PR would, and the gate run
as a subprocess, as CI runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
COPY = [
    "contracts",
    "avrokit",
    "codegen",
    "gate",
    "services/__init__.py",
    "services/events",
    "pyproject.toml",
]
ORDER_CREATED = "contracts/shop/events/order_created.avsc"
ORDER_PAID = "contracts/shop/events/order_paid.avsc"
NOTIFICATION = "contracts/shop/events/notification.avsc"
EVENT_METADATA = "contracts/shop/common/event_metadata.avsc"
NOTE = '"doc": "Free-text note from the customer, if any."}'
GIFT_WRAP = (
    NOTE + ',\n    {"name": "gift_wrap", "type": "boolean", "doc": "Wrap the order as a gift."}'
)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=gate@test", "-c", "user.name=gate", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def copy_repository(root: Path) -> Path:
    """The parts of this repository the gate needs, under `root`, committed on `main`."""
    root.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for item in COPY:
        src, dst = REPO / item, root / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore)
        else:
            shutil.copy2(src, dst)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base contracts")
    return root


def edit(root: Path, path: str, old: str, new: str, message: str = "") -> None:
    """Replace `old` by `new` in `path`; commit with `message` (none: leave it uncommitted)."""
    file = root / path
    text = file.read_text()
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new, 1))
    if message:
        git(root, "commit", "-qam", message)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def gate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "gate", *args], cwd=root, capture_output=True, text=True, timeout=180
    )
    print(proc.stdout, proc.stderr)  # shown by pytest -rA / on failure: the walkthrough output
    return proc
