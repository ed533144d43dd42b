"""What `gate compat` compares the working tree with in git, and whether that history is whole.

- history mode (no `--against`): every version of each contract reachable from HEAD, each step
  checked (what a push to the main branch needs: any of its commits may have been deployed);
- merge-base mode (`--against REV`): the versions reachable from the merge base of HEAD and REV,
  so a pull request is judged by its own change, not by what REV gained since the branch forked.

A shallow clone hides older versions. A contract whose history reaches the clone's boundary
cannot be checked: the gate stops with one line saying what is missing and how to fetch it,
never "passed". A contract absent from the base is new, and the gate says so.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from gate.history import (
    Blobs,
    FileHistory,
    HistoryError,
    file_history,
    is_repository,
    merge_base,
    rev_parse,
    shallow_commits,
)

FETCH_HINT = (
    "fetch the full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow), "
    "or compare with the base branch: AGAINST=origin/main after git fetch origin main"
)


@dataclass
class Baseline:
    root: Path
    head: str | None  # None: nothing committed yet
    rev: str | None  # the commit whose history is read
    label: str  # for the report: "the git history of HEAD", "the merge base 1a2b3c4 of ..."
    every_step: bool  # history mode: check each step, not only the working tree
    shallow: frozenset[str]
    blobs: Blobs
    notes: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # path now -> path at the base
    _introduced: dict[tuple[str, str], str] = field(default_factory=dict)

    def history(self, path: str, ref_paths: dict[str, str]) -> FileHistory:
        if self.rev is None:
            return FileHistory([], None)
        old_path = self.renamed.get(path, path)
        return file_history(self.root, old_path, ref_paths, self.rev, self.blobs)

    def require_whole(self, histories: dict[str, FileHistory]) -> None:
        """Stop (HistoryError, one line) if any contract's history reaches the shallow boundary;
        note every contract that is new."""
        cut = sorted(p for p, h in histories.items() if h.first_commit in self.shallow)
        if cut:
            stops = sorted({(histories[p].first_commit or "")[:7] for p in cut})
            more = f" and {len(cut) - 1} more" if len(cut) > 1 else ""
            raise HistoryError(
                f"cannot read the earlier versions of {cut[0]}{more}: this clone is shallow and "
                f"their history stops at its boundary ({', '.join(stops)}); {FETCH_HINT}"
            )
        for path, h in histories.items():
            if h.first_commit is None:
                where = "not committed yet" if self.every_step else f"not in {self.label}"
                self.notes.append(f"{path}: {where}: new, nothing to compare with")

    def introduced(self, path: str, text: str) -> str:
        """The commit that gave `path` its current content `text`: the newest commit touching it
        (merge-base mode: on the branch only). "" when the working tree differs (uncommitted)."""
        key = (path, text)
        if key not in self._introduced:
            self._introduced[key] = self._find_introduced(path, text)
        return self._introduced[key]

    def _find_introduced(self, path: str, text: str) -> str:
        if self.head is None:
            return ""
        revs = ["HEAD"] if self.every_step or self.rev is None else [f"{self.rev}..HEAD"]
        proc = subprocess.run(
            ["git", "log", "-1", "--format=%H", *revs, "--", path],
            cwd=self.root,
            capture_output=True,
            text=True,
        )
        commit = proc.stdout.strip()
        if proc.returncode or not commit or self.blobs.read(commit, path) != text:
            return ""
        return commit


def resolve(root: Path, against: str | None, blobs: Blobs) -> Baseline:
    """The baseline for history mode (`against` None) or merge-base mode; HistoryError (one line)
    when it cannot be had."""
    if not is_repository(root):
        raise HistoryError(
            f"{root} is not a git repository: the gate reads the contracts' history from git "
            "(run it in a clone, or check against a registry: REGISTRY=url)"
        )
    head = rev_parse(root, "HEAD")
    shallow = shallow_commits(root)
    if against is None:
        return Baseline(root, head, head, "the git history of HEAD", True, shallow, blobs)
    target = rev_parse(root, against)
    if target is None:
        raise HistoryError(
            f"AGAINST={against} names no commit in this clone: fetch it first "
            f"(e.g. git fetch origin main), or check out with full history (fetch-depth: 0)"
        )
    base = merge_base(root, head, target) if head else None
    notes: list[str] = []
    if base:
        label = f"the merge base {base[:7]} of HEAD and {against}"
    elif shallow or head is None:
        base, label = target, f"{against} ({target[:7]})"
        notes.append(
            f"HEAD and {against} have no common ancestor in this shallow clone: compared with "
            f"{against} itself (fetch-depth: 0 gives the merge base)"
        )
    else:
        raise HistoryError(f"HEAD and {against} have no common ancestor: nothing to compare with")
    baseline = Baseline(root, head, base, label, False, shallow, blobs, notes)
    baseline.renamed = _renames(root, base)
    return baseline


def _renames(root: Path, base: str) -> dict[str, str]:
    """Contracts moved on the branch: path now -> path at `base`."""
    proc = subprocess.run(
        ["git", "diff", "--name-status", "-M", base, "--", "contracts"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    out = {}
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].startswith("R"):
            out[parts[2]] = parts[1]
    return out
