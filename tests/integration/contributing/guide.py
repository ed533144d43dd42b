"""Helpers of the CONTRIBUTING.md tests: the guide's recipes (their code blocks and commands) and a
temporary copy of the repository to follow them in: every tracked file as it is in the working
tree, committed on `main`, with a `.venv` whose python is this interpreter, so that `make`
targets run there as the guide writes them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
GUIDE = REPO / "CONTRIBUTING.md"
# ```lang label: the label names the file the block goes to ("path" or "path:part") or the
# command whose output it shows; blocks without a label are prose
FENCE = re.compile(r"^```(\w+)(?: ([^\n]+))?\n(.*?)^```$", re.M | re.S)
# variables of an outer `make test` that must not leak into the copy's own make runs
MAKE_VARIABLES = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")


@dataclass(frozen=True)
class Recipe:
    text: str
    blocks: dict[str, str]  # label -> text
    commands: list[list[str]]  # each ```sh block, as its lines


def recipe(number: int) -> Recipe:
    """Section `## <number>. ...` of the guide."""
    parts = re.split(r"^## (\d+)\. .*$", GUIDE.read_text(), flags=re.M)
    text = dict(zip(parts[1::2], parts[2::2], strict=True))[str(number)]
    blocks: dict[str, str] = {}
    commands = []
    for lang, label, body in FENCE.findall(text):
        if lang == "sh":
            commands.append([line for line in body.splitlines() if line.strip()])
        elif label:
            assert label not in blocks, f"two blocks labelled {label!r}"
            blocks[label] = body
    return Recipe(text, blocks, commands)


def copy_repository(root: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout
    for rel in filter(None, listed.split(b"\0")):
        source = REPO / os.fsdecode(rel)
        if source.is_file():  # not deleted in the working tree
            target = root / os.fsdecode(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    python = root / ".venv/bin/python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    stamp = root / ".venv/.installed-stamp"  # newer than pyproject.toml: make installs nothing
    stamp.touch()
    assert stamp.stat().st_mtime >= (root / "pyproject.toml").stat().st_mtime
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "the repository as it is")
    return root


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=guide@test", "-c", "user.name=guide", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def run(root: Path, command: str, *, ok: bool = True) -> str:
    """Run one of the guide's commands in the copy; its stdout and stderr, which must show
    success (`ok`) or failure."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    proc = subprocess.run(  # noqa: S602 - the guide's own command line
        command, shell=True, cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    output = proc.stdout + proc.stderr
    print(f"$ {command}  (exit {proc.returncode})\n{output}")
    assert (proc.returncode == 0) == ok, f"`{command}` exited {proc.returncode}:\n{output}"
    return output


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    assert not target.exists(), f"{path} exists already"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def insert(root: Path, path: str, text: str, *, before: str = "", after: str = "") -> None:
    """Put `text` just before or just after the one place `before` / `after` occurs in `path`."""
    file = root / path
    content = file.read_text()
    anchor = before or after
    assert content.count(anchor) == 1, f"{anchor!r} is not once in {path}"
    at = content.index(anchor) + (len(anchor) if after else 0)
    file.write_text(content[:at] + text + content[at:])


def shown_lines(text: str) -> list[str]:
    """Output lines as the guide shows them: commit ids and line:col positions stand for any."""
    text = re.sub(r"\b(against git|in) [0-9a-f]{7,40}\b", r"\1 <commit>", text)
    text = re.sub(r"^(\S+?):\d+:\d+: ", r"\1:<line>:<col>: ", text, flags=re.M)
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def shows(output: str, expected: str) -> bool:
    """Every line of `expected` is in `output`, in the same order."""
    lines = iter(shown_lines(output))
    return all(any(line == got for got in lines) for line in shown_lines(expected))
