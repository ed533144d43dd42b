"""Earlier versions of a contract: from git (offline) or from a live registry (online)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx


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


def git_show(repo: Path, rev: str, path: str) -> str | None:
    proc = subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=repo, capture_output=True, text=True
    )
    return proc.stdout if proc.returncode == 0 else None


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
        return data.decode() if header[1] == "blob" else None

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


def git_versions(
    repo: Path,
    path: str,
    ref_paths: dict[str, str],
    rev: str = "HEAD",
    blobs: Blobs | None = None,
) -> list[Version]:
    """Every version of `path` in the history of `rev`, oldest first, consecutive duplicates
    dropped. `ref_paths` maps each referenced type to its file; read at the same commit."""
    reader = blobs or Blobs(repo)
    versions: list[Version] = []
    try:
        for commit, at_path, desc in reversed(file_log(repo, path, rev)):
            text = reader.read(commit, at_path)
            if text is None or (versions and versions[-1].text == text):
                continue
            refs = []
            for ref_path in ref_paths.values():
                ref = reader.read(commit, ref_path)
                refs.append(ref if ref is not None else (repo / ref_path).read_text())
            subject = desc.partition(" ")[2]
            versions.append(Version(f"git {commit[:7]}", text, tuple(refs), commit, subject))
    finally:
        if blobs is None:
            reader.close()
    return versions


def registry_versions(client: httpx.Client, subject: str) -> list[Version]:
    """Every registered version of `subject`, oldest first; [] if the subject does not exist."""
    resp = client.get(f"/subjects/{subject}/versions")
    if resp.status_code == 404:
        return []
    resp.raise_for_status()
    out = []
    for v in sorted(resp.json()):
        body = _get(client, f"/subjects/{subject}/versions/{v}")
        out.append(Version(f"registry v{v}", body["schema"], tuple(_refs(client, body))))
    return out


def _get(client: httpx.Client, path: str) -> dict:
    resp = client.get(path)
    resp.raise_for_status()
    return resp.json()


def _refs(client: httpx.Client, body: dict) -> list[str]:
    """Texts of the schemas `body` references, transitively, dependencies first."""
    out: list[str] = []
    for ref in body.get("references") or []:
        dep = _get(client, f"/subjects/{ref['subject']}/versions/{ref['version']}")
        out += _refs(client, dep) + [dep["schema"]]
    return list(dict.fromkeys(out))
