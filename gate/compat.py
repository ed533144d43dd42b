"""`gate compat`: every subject's contract in the working tree against its published history.

Offline by default, every step of the contract's history on the current branch must pass the
subject's level: each distinct version against the one before it (WIRE, CODEGEN, SEMANTIC), and at
transitive levels against every earlier version too (WIRE), so a break made in an earlier commit of
the same push is still caught; such a finding names the commit that introduced it and points at the
field in the current file. `--against REV` and `--registry URL` check only the working tree against
those versions. INTEROP (offline only) round-trips sample events between the latest earlier
version's generated classes and the new ones, for subjects whose WIRE check passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from avrokit import CompatibilityLevel, InvalidSchema, ParsedSchema
from gate import interop, steps
from gate.context import Repo, Subject
from gate.findings import Finding
from gate.history import Blobs, HistoryError, Version, git_versions, registry_versions
from gate.repoint import translate
from gate.rules import wire
from gate.rules.model import Change

Step = list[steps.Found]


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0
    subjects: list[str] = field(default_factory=list)


@dataclass
class _Run:
    every_step: bool  # default mode: check every step of the branch's history
    interop: bool
    history: dict[str, list[Version]] = field(default_factory=dict)  # by contract path
    older: dict[tuple[str, str, str], Step] = field(default_factory=dict)  # path, rev, level


def run(
    repo: Repo, against: str | None = None, registry: str | None = None, interop_check: bool = True
) -> Result:
    result = Result()
    source = f"registry {registry}" if registry else f"git history of {against or 'HEAD'}"
    client = httpx.Client(base_url=registry, timeout=10) if registry else None
    state = _Run(every_step=not against and not registry, interop=interop_check and not registry)
    blobs = Blobs(repo.root)
    try:
        for subject in repo.subjects():
            if client is not None:
                history = registry_versions(client, subject.name)
            else:
                path = repo.rel(subject.contract)
                if path not in state.history:
                    state.history[path] = git_versions(
                        repo.root,
                        path,
                        repo.reference_paths(subject.contract),
                        against or "HEAD",
                        blobs,
                    )
                history = state.history[path]
            _subject(repo, subject, history, result, state)
            result.checked += 1
            result.subjects.append(subject.name)
    except (HistoryError, httpx.HTTPError) as exc:
        result.notes.append(f"gate compat: cannot read the history from {source}: {exc}")
        raise SystemExit(_fail(result)) from exc
    finally:
        blobs.close()
        if client is not None:
            client.close()
    result.notes.insert(0, f"checked against the {source}")
    return result


def _fail(result: Result) -> int:
    print("\n".join(result.notes))
    return 2


def _subject(
    repo: Repo, subject: Subject, history: list[Version], result: Result, state: _Run
) -> None:
    contract = subject.contract
    refs = repo.reference_texts(contract)
    try:
        new = steps.parse(contract.text, refs)
    except InvalidSchema as exc:
        change = Change(wire.INVALID, "", exc.reason, wire.INVALID.fix)
        result.findings.append(repo.finding(contract, change, subject.name))
        return
    current = steps.key(contract.text, refs)
    while history and steps.key(history[-1].text, history[-1].references) == current:
        history = history[:-1]  # already published as is: compare with what came before
    valid: list[tuple[Version, ParsedSchema]] = []
    for version in history:
        try:
            valid.append((version, steps.parse(version.text, version.references)))
        except InvalidSchema as exc:
            result.notes.append(f"{subject.name}: skipped {version.label}, not valid: {exc}")
    if not valid:
        return
    level = CompatibilityLevel.parse(subject.level)
    if level is CompatibilityLevel.NONE:
        result.notes.append(f"{subject.name}: level NONE, not checked")
        return
    found: list[Finding] = []
    if state.every_step:
        for i in range(1, len(valid)):
            found += _older_step(repo, subject, valid, i, level, state)
    latest = steps.check(new, contract.text, valid, level)
    found += [repo.finding(contract, f.change, subject.name, f.against.label) for f in latest]
    result.findings += _distinct(found)
    last = valid[-1][0]
    if state.interop and last.revision and not any(f.wire for f in latest):
        for change in interop.check(repo, contract, last.revision, level):
            result.findings.append(repo.finding(contract, change, subject.name, last.label))


def _older_step(
    repo: Repo,
    subject: Subject,
    valid: list[tuple[Version, ParsedSchema]],
    i: int,
    level: CompatibilityLevel,
    state: _Run,
) -> list[Finding]:
    """Findings of the step to `valid[i]`, placed in the current file, naming its commit."""
    contract = subject.contract
    version, parsed = valid[i]
    cache_key = (repo.rel(contract), version.revision or version.label, level.value)
    if cache_key not in state.older:
        state.older[cache_key] = steps.check(parsed, version.text, valid[:i], level)
    introduced = f"{(version.revision or '')[:7]} {version.commit_subject}".strip()
    out = []
    for f in state.older[cache_key]:
        path = translate(f.change.path, parsed.json, contract.schema)
        finding = repo.finding(
            contract, replace(f.change, path=path), subject.name, f.against.label
        )
        out.append(replace(finding, introduced=introduced))
    return out


def _distinct(found: list[Finding]) -> list[Finding]:
    """Drop repeats of one finding (e.g. found against several earlier versions, or in an older
    step and again by the transitive check of the latest): the first, oldest, stays."""
    seen: set[tuple[str, str, int, int]] = set()
    out = []
    for f in found:
        k = (f.rule, f.message, f.line, f.col)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def default_overrides(root: Path) -> Path:
    return root / "contracts" / "compat-overrides.yaml"
