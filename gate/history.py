"""Earlier versions of a contract from git: commits, blobs and the clone's shallow boundary."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Version:
    label: str  # "git 1a2b3c4" or "registry v3"
    text: str
    references: tuple[str, ...]  # texts of referenced schemas, dependencies first
    revision: str | None = None  # git commit, when it came from git
    commit_subject: str = ""  # that commit's subject line


class HistoryError(RuntimeError):
    pass


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if proc.returncode != 0:
        raise HistoryError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def rev_parse(repo: Path, rev: str) -> str | None:
    """The full commit id `rev` names, or None if it names no commit in this clone."""
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def merge_base(repo: Path, a: str, b: str) -> str | None:
    proc = subprocess.run(["git", "merge-base", a, b], cwd=repo, capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def is_repository(repo: Path) -> bool:
    proc = subprocess.run(["git", "rev-parse", "--git-dir"], cwd=repo, capture_output=True)
    return proc.returncode == 0


def shallow_commits(repo: Path) -> frozenset[str]:
    """The commits at the boundary of a shallow clone (their parents are not here)."""
    path = Path(git(repo, "rev-parse", "--git-path", "shallow").strip())
    path = path if path.is_absolute() else repo / path
    return frozenset(path.read_text().split()) if path.is_file() else frozenset()


def commits_between(repo: Path, since: str, until: str) -> list[str]:
    """`git rev-list since..until`, newest first."""
    return git(repo, "rev-list", f"{since}..{until}").split()


class Blobs:
    """`rev:path` -> text through one long-running `git cat-file --batch` (a `git show` per read
    costs a process each: too slow for a few hundred commits times the contracts and their refs)."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._proc: subprocess.Popen[bytes] | None = None
        self._cache: dict[tuple[str, str], str | None] = {}

    def read(self, rev: str, path: str) -> str | None:
        key = (rev, path)
        if key not in self._cache:
            self._cache[key] = self._read(f"{rev}:{path}")
        return self._cache[key]

    def _read(self, spec: str) -> str | None:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=self.repo,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(spec.encode() + b"\n")
        stdin.flush()
        header = stdout.readline().decode().split()
        if len(header) != 3:  # "<spec> missing" / "ambiguous"
            return None
        data = stdout.read(int(header[2]))
        stdout.read(1)  # the newline after the contents
        # a version that is not UTF-8 is still read: it fails to parse and is reported as invalid
        return data.decode(errors="replace") if header[1] == "blob" else None

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait()
            self._proc = None


def file_log(repo: Path, path: str, rev: str = "HEAD") -> list[tuple[str, str, str]]:
    """(commit, path at that commit, "date subject") newest first, following renames."""
    out = git(repo, "log", "--follow", "--format=@%H %as %s", "--name-only", rev, "--", path)
    entries: list[tuple[str, str, str]] = []
    commit = desc = ""
    for line in out.splitlines():
        if line.startswith("@"):
            commit, _, desc = line[1:].partition(" ")
        elif line.strip() and commit:
            entries.append((commit, line.strip(), desc))
            commit = ""
    return entries


@dataclass(frozen=True)
class FileHistory:
    versions: list[Version]  # oldest first, consecutive duplicates dropped
    first_commit: str | None  # the oldest commit that touched the file; None: never committed


def file_history(
    repo: Path, path: str, ref_paths: dict[str, str], rev: str, blobs: Blobs
) -> FileHistory:
    """Every version of `path` in the history of `rev`. `ref_paths` maps each referenced type to
    its file, read at the same commit (the working tree's if it did not exist then)."""
    versions: list[Version] = []
    log = list(reversed(file_log(repo, path, rev)))
    for commit, at_path, desc in log:
        text = blobs.read(commit, at_path)
        if text is None or (versions and versions[-1].text == text):
            continue
        refs = []
        for ref_path in ref_paths.values():
            ref = blobs.read(commit, ref_path)
            refs.append(ref if ref is not None else (repo / ref_path).read_text())
        subject = desc.partition(" ")[2]
        versions.append(Version(f"git {commit[:7]}", text, tuple(refs), commit, subject))
    return FileHistory(versions, log[0][0] if log else None)


def git_versions(
    repo: Path,
    path: str,
    ref_paths: dict[str, str],
    rev: str = "HEAD",
    blobs: Blobs | None = None,
) -> list[Version]:
    """`file_history(...).versions`, with a reader of its own unless one is given."""
    reader = blobs or Blobs(repo)
    try:
        return file_history(repo, path, ref_paths, rev, reader).versions
    finally:
        if blobs is None:
            reader.close()
