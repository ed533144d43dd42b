"""`gate compat`: every subject's contract in the working tree against its published history.

The history comes from git (gate/baseline.py: every step of it by default, or the merge base with
`--against REV`) or from a live registry (gate/registry_mode.py). WIRE, CODEGEN and SEMANTIC
compare versions: in history mode each distinct version against the ones before it, so a break made
in an earlier commit of a push is still caught and names that commit; at transitive levels WIRE
checks against every earlier version. INTEROP round-trips sample events between the generated
classes of the latest earlier version and the new ones, for subjects whose WIRE check passed.

A finding lands where the change is (a shared type's own file) and is reported once, listing every
subject it affects; what codegen cannot generate is reported once, apart from the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType

from avrokit import CompatibilityLevel, InvalidSchema, ParsedSchema
from avrokit.catalog import Contract
from gate import interop, steps
from gate.baseline import Baseline, resolve
from gate.context import Repo, Subject
from gate.findings import Finding, merge
from gate.history import Blobs, FileHistory, Version
from gate.interop import CodegenFailed
from gate.repoint import translate
from gate.rules import codegen, wire
from gate.rules.model import Change

Step = list[steps.Found]


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0
    subjects: list[str] = field(default_factory=list)
    baseline: Baseline | None = None  # git modes: resolves commits for overrides


@dataclass
class Check:
    """One run over the subjects: what to check and what was found."""

    repo: Repo
    every_step: bool  # history mode: check every step of each contract's history
    interop: bool
    base_classes: Callable[[Version], ModuleType]  # generated classes of an earlier version
    introduced: Callable[[str], str]  # repository path -> commit that gave it its content
    result: Result = field(default_factory=Result)
    older: dict[tuple[str, str, str], Step] = field(default_factory=dict)  # path, rev, level
    codegen_failure: str = ""  # codegen's reason when it refuses the working tree
    skipped_interop: set[str] = field(default_factory=set)

    def latest(self, finding: Finding) -> Finding:
        """A finding of the working tree's step: the commit that made the file what it is."""
        return replace(finding, commit=self.introduced(finding.file))


def run(repo: Repo, against: str | None = None, interop_check: bool = True) -> Result:
    """The working tree against its git history (`against` None) or the merge base with
    `against`. Raises HistoryError when that history cannot be read whole."""
    subjects = repo.subjects()  # a malformed catalog is reported before anything else
    blobs = Blobs(repo.root)
    try:
        baseline = resolve(repo.root, against, blobs)
        files: dict[str, FileHistory] = {}
        for s in subjects:
            path = repo.rel(s.contract)
            if path not in files:
                files[path] = baseline.history(path, repo.reference_paths(s.contract))
        baseline.require_whole(files)
        check = Check(
            repo,
            baseline.every_step,
            interop_check,
            lambda v: interop.for_revision(repo.root, v.revision or "HEAD"),
            lambda path: baseline.introduced(path, (repo.root / path).read_text()),
            Result(notes=[f"checked against {baseline.label}", *baseline.notes]),
        )
        check.result.baseline = baseline
        for s in subjects:
            check_subject(check, s, list(files[repo.rel(s.contract)].versions))
        return finish(check)
    finally:
        blobs.close()


def check_subject(check: Check, subject: Subject, history: list[Version]) -> bool:
    """Check `subject` against `history` (oldest first); True if a WIRE finding was made."""
    repo, result = check.repo, check.result
    contract = subject.contract
    result.checked += 1
    result.subjects.append(subject.name)
    refs = repo.reference_texts(contract)
    try:
        new = steps.parse(contract.text, refs)
    except InvalidSchema as exc:
        change = Change(wire.INVALID, "", exc.reason, wire.INVALID.fix)
        result.findings.append(check.latest(repo.finding(contract, change, subject.name)))
        return True
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
        return False
    level = CompatibilityLevel.parse(subject.level)
    if level is CompatibilityLevel.NONE:
        result.notes.append(f"{subject.name}: level NONE, not checked")
        return False
    if check.every_step:
        for i in range(1, len(valid)):
            result.findings += _older_step(check, subject, valid, i, level)
    latest = steps.check(new, contract.text, valid, level)
    result.findings += [
        check.latest(repo.finding(contract, f.change, subject.name, f.against.label))
        for f in latest
    ]
    broken = any(f.wire for f in latest)
    if check.interop and not broken:
        _interop(check, subject, valid[-1][0], level)
    return broken


def _older_step(
    check: Check,
    subject: Subject,
    valid: list[tuple[Version, ParsedSchema]],
    i: int,
    level: CompatibilityLevel,
) -> list[Finding]:
    """Findings of the step to `valid[i]`, placed in the current file, naming its commit."""
    repo, contract = check.repo, subject.contract
    version, parsed = valid[i]
    cache_key = (repo.rel(contract), version.revision or version.label, level.value)
    if cache_key not in check.older:
        check.older[cache_key] = steps.check(parsed, version.text, valid[:i], level)
    introduced = f"{(version.revision or '')[:7]} {version.commit_subject}".strip()
    out = []
    for f in check.older[cache_key]:
        path = translate(f.change.path, parsed.json, contract.schema)
        moved = replace(f.change, path=path)
        finding = repo.finding(contract, moved, subject.name, f.against.label)
        out.append(replace(finding, introduced=introduced, commit=version.revision or ""))
    return out


def _interop(check: Check, subject: Subject, last: Version, level: CompatibilityLevel) -> None:
    repo = check.repo
    try:
        new = interop.generate(repo.root, repo.contracts_dir, f"worktree-{repo.fingerprint}")
    except CodegenFailed as exc:
        check.codegen_failure = exc.reason
        return
    try:
        old = check.base_classes(last)
    except CodegenFailed as exc:
        if last.label not in check.skipped_interop:
            check.skipped_interop.add(last.label)
            check.result.notes.append(
                f"INTEROP not run against {last.label}: codegen refuses it: {exc.reason}"
            )
        return
    for change in interop.check(old, new, subject.contract, level):
        finding = repo.finding(subject.contract, change, subject.name, last.label)
        check.result.findings.append(check.latest(finding))


def finish(check: Check) -> Result:
    """Merge the findings made once per subject into one per change; add codegen's refusal."""
    result = check.result
    if check.codegen_failure:
        result.findings.append(_codegen_refused(check, check.codegen_failure))
    result.findings = [_with_embedders(check.repo, f) for f in merge(result.findings)]
    return result


def _with_embedders(repo: Repo, finding: Finding) -> Finding:
    """A finding in a shared type's file affects every subject that embeds the type."""
    shared = next(
        (s.contract for s in repo.catalog.shared_types if repo.rel(s.contract) == finding.file),
        None,
    )
    if shared is None:
        return finding
    subjects = tuple(dict.fromkeys([*finding.affected, *repo.subjects_using(shared)]))
    return replace(finding, subjects=subjects)


_CODEGEN_WHERE = re.compile(
    r"(?P<file>[^\s:]+\.avsc)(?::(?P<pos>\d+:\d+))?(?::\s*(?P<ptr>/[^\s:]*))?"
)


def _codegen_refused(check: Check, reason: str) -> Finding:
    """One finding for codegen's refusal of the working tree, at the contract it names."""
    repo = check.repo
    where = _CODEGEN_WHERE.search(reason)
    contract = _contract_named(repo, where.group("file")) if where else None
    rule = codegen.GENERATION_FAILED
    if contract is None or where is None:
        return Finding("contracts/catalog.yaml", 1, 1, rule.id, rule.category, reason, rule.fix)
    message = reason[where.end() :].lstrip(": ") or reason
    pointer = where.group("ptr") or _field_pointer(contract, message)
    change = Change(rule, pointer, f"codegen: {message}", rule.fix)
    subjects = tuple(repo.subjects_using(contract))
    finding = repo.finding(contract, change, subjects[0] if subjects else "")
    return check.latest(replace(finding, subjects=subjects))


def _field_pointer(contract: Contract, message: str) -> str:
    """The JSON pointer of the field codegen names as `<full name>.<field>...: ...`, or ""."""
    head = message.split(":", 1)[0].strip()
    if not head.startswith(contract.full_name + "."):
        return ""
    node: object = contract.schema
    pointer = ""
    for name in head[len(contract.full_name) + 1 :].split("."):
        while isinstance(node, dict) and not isinstance(node.get("fields"), list):
            inner = node.get("items") if node.get("type") == "array" else node.get("type")
            if not isinstance(inner, dict):
                return pointer
            pointer += "/items" if node.get("type") == "array" else "/type"
            node = inner
        fields = node.get("fields") if isinstance(node, dict) else None
        hit = next((i for i, f in enumerate(fields or []) if f.get("name") == name), None)
        if hit is None or fields is None:
            return pointer
        pointer += f"/fields/{hit}"
        node = fields[hit]
    return f"{pointer}/type" if isinstance(node, dict) and "type" in node else pointer


def _contract_named(repo: Repo, file: str) -> Contract | None:
    """The catalog's contract whose file `file` (as codegen printed it) names."""
    wanted = Path(file).as_posix()
    for c in repo.catalog.contracts.values():
        if wanted == repo.rel(c) or wanted.endswith("/" + c.file.as_posix()):
            return c
        if wanted == c.file.as_posix():
            return c
    return None


def default_overrides(root: Path) -> Path:
    return root / "contracts" / "compat-overrides.yaml"
