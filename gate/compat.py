"""`gate compat`: every subject's contract in the working tree against its published history.

WIRE follows the subject's level (transitive levels: every earlier version). CODEGEN and SEMANTIC
compare with the latest earlier version: that is what the generated code in use was built from.
INTEROP (offline only) round-trips sample events between the base revision's generated classes and
the new ones, for subjects whose WIRE check passed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gate import interop
from gate.context import Repo, Subject, canonical
from gate.findings import Finding
from gate.history import HistoryError, Version, git_versions, registry_versions
from gate.rules import codegen, semantic, wire
from gate.rules.diff import walk
from gate.rules.model import Change
from registry.rules import CompatibilityLevel, InvalidSchema, ParsedSchema, parse_schema


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0


def _key(text: str, refs: tuple[str, ...]) -> tuple[str, ...]:
    return (canonical(text), *map(canonical, refs))


def run(
    repo: Repo, against: str | None = None, registry: str | None = None, interop_check: bool = True
) -> Result:
    result = Result()
    source = f"registry {registry}" if registry else f"git history of {against or 'HEAD'}"
    client = httpx.Client(base_url=registry, timeout=10) if registry else None
    cache: dict[str, list[Version]] = {}
    try:
        for subject in repo.subjects():
            if client is not None:
                history = registry_versions(client, subject.name)
            else:
                path = repo.rel(subject.contract)
                if path not in cache:
                    cache[path] = git_versions(
                        repo.root, path, repo.reference_paths(subject.contract), against or "HEAD"
                    )
                history = cache[path]
            _subject(repo, subject, history, result, interop_check and client is None)
            result.checked += 1
    except (HistoryError, httpx.HTTPError) as exc:
        result.notes.append(f"gate compat: cannot read the history from {source}: {exc}")
        raise SystemExit(_fail(result)) from exc
    finally:
        if client is not None:
            client.close()
    result.notes.insert(0, f"checked against the {source}")
    return result


def _fail(result: Result) -> int:
    print("\n".join(result.notes))
    return 2


def _subject(
    repo: Repo, subject: Subject, history: list[Version], result: Result, interop_check: bool
) -> None:
    contract = subject.contract
    refs = repo.reference_texts(contract)
    try:
        new = parse_schema(contract.text, refs)
    except InvalidSchema as exc:
        change = Change(wire.INVALID, "", exc.reason, wire.INVALID.fix)
        result.findings.append(repo.finding(contract, change, subject.name))
        return
    current = _key(contract.text, refs)
    while history and _key(history[-1].text, history[-1].references) == current:
        history = history[:-1]  # already published as is: compare with what came before
    valid: list[tuple[Version, ParsedSchema]] = []
    for version in history:
        try:
            valid.append((version, parse_schema(version.text, version.references)))
        except InvalidSchema as exc:
            result.notes.append(f"{subject.name}: skipped {version.label}, not valid: {exc}")
    if not valid:
        return
    level = CompatibilityLevel.parse(subject.level)
    if level is CompatibilityLevel.NONE:
        result.notes.append(f"{subject.name}: level NONE, not checked")
        return
    previous: list[tuple[int | None, ParsedSchema]] = [(i, p) for i, (_, p) in enumerate(valid)]
    wire_errors = 0
    for change, idx in wire.check(new, previous, level):
        label = valid[idx][0].label if idx is not None else ""
        result.findings.append(repo.finding(contract, change, subject.name, label))
        wire_errors += 1
    last, last_parsed = valid[-1]
    pairs = list(walk(last_parsed.json, json.loads(contract.text)))
    for change in codegen.check(pairs) + semantic.check(pairs, level):
        result.findings.append(repo.finding(contract, change, subject.name, last.label))
    if interop_check and last.revision and not wire_errors:
        for change in interop.check(repo, contract, last.revision, level):
            result.findings.append(repo.finding(contract, change, subject.name, last.label))


def default_overrides(root: Path) -> Path:
    return root / "contracts" / "compat-overrides.yaml"
