"""`gate compat --registry URL` and `gate download`: the contracts against a live Schema Registry,
as Confluent's maven plugin does it.

For each subject the registry is asked for its own verdict, at its own configured level
(`POST /compatibility/subjects/{s}/versions/latest?verbose=true`); its messages become WIRE findings
placed in the contract. The gate then runs its own rules against every registered version at the
catalog's level (WIRE transitively, CODEGEN, SEMANTIC) and INTEROP against classes generated from
the registry's latest schemas (downloaded, as `gate download` writes them). A subject whose level in
the registry differs from the catalog's is a WIRE_LEVEL_DRIFT finding at the catalog entry.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx

from avrokit.catalog import Contract
from avrokit.yamlfile import key_path
from gate import interop
from gate.baseline import resolve
from gate.compat import Check, Result, check_subject, finish
from gate.context import Repo, Subject
from gate.findings import Finding
from gate.history import Blobs, HistoryError, Version
from gate.locate import locate_yaml
from gate.rules import wire
from gate.rules.model import Change

LEVEL_DRIFT = wire.LEVEL_DRIFT


class RegistryUnavailable(RuntimeError):
    """The registry could not be read; the message is one line naming the URL and the request."""


@dataclass
class Registry:
    client: httpx.Client

    def _send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        try:
            return self.client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(f"{self.client.base_url}{path}: {exc}") from None

    def _get(self, path: str, missing_ok: bool = False) -> Any:
        resp = self._send("GET", path)
        if missing_ok and resp.status_code == 404:
            return None
        if resp.status_code >= 400:
            raise RegistryUnavailable(
                f"{self.client.base_url}{path}: HTTP {resp.status_code}: {resp.text[:200]}"
            )
        return resp.json()

    def latest(self, subject: str) -> dict[str, Any] | None:
        return self._get(f"/subjects/{quote(subject, safe='')}/versions/latest", missing_ok=True)

    def versions(self, subject: str) -> list[Version]:
        """Every registered version of `subject`, oldest first; [] if it is not registered."""
        numbers = self._get(f"/subjects/{quote(subject, safe='')}/versions", missing_ok=True)
        out = []
        for v in sorted(numbers or []):
            body = self._get(f"/subjects/{quote(subject, safe='')}/versions/{v}")
            out.append(Version(f"registry v{v}", body["schema"], tuple(self._refs(body))))
        return out

    def _refs(self, body: dict[str, Any]) -> list[str]:
        """Texts of the schemas `body` references, transitively, dependencies first."""
        out: list[str] = []
        for ref in body.get("references") or []:
            dep = self._get(f"/subjects/{quote(ref['subject'], safe='')}/versions/{ref['version']}")
            out += self._refs(dep) + [dep["schema"]]
        return list(dict.fromkeys(out))

    def level(self, subject: str) -> str:
        body = self._get(f"/config/{quote(subject, safe='')}?defaultToGlobal=true")
        return str(body.get("compatibilityLevel") or body.get("compatibility") or "")

    def verdict(self, subject: str, text: str, refs: list[dict[str, Any]]) -> dict[str, Any]:
        """The registry's own check of `text` against the subject's latest version."""
        path = f"/compatibility/subjects/{quote(subject, safe='')}/versions/latest?verbose=true"
        body: dict[str, Any] = {"schema": text, **({"references": refs} if refs else {})}
        resp = self._send("POST", path, body)
        if resp.status_code >= 400:
            return {"is_compatible": False, "messages": [f"HTTP {resp.status_code}: {resp.text}"]}
        return dict(resp.json())

    def reference_versions(self, repo: Repo, contract: Contract) -> list[dict[str, Any]]:
        """References for `contract` as the registry knows them: the version holding the local
        text of each shared type, else its latest."""
        out = []
        for name in contract.references:
            shared = repo.catalog.shared_type(name)
            path = f"/subjects/{quote(shared.subject, safe='')}"
            resp = self._send("POST", path, {"schema": shared.contract.text})
            version = resp.json().get("version") if resp.status_code == 200 else None
            if version is None:
                latest = self.latest(shared.subject)
                version = latest["version"] if latest else 1
            out.append({"name": name, "subject": shared.subject, "version": version})
        return out


# Our registry: "KIND at '/path': message; LEVEL compatibility forbids this against ...; fix: ..."
_OURS = re.compile(r"^(?P<kind>[A-Z_]+) at '(?P<path>[^']*)': (?P<msg>.*?)(?:; (?P<rest>.*))?$")
# Confluent's: "{errorType:'KIND', description:'... at path '/fields/1' ...', additionalInfo:'x'}"
_CONFLUENT = re.compile(r"errorType:'(?P<kind>[A-Z_]+)', description:'(?P<msg>.*?)'(?:, |})")
_AT_PATH = re.compile(r"at path '(?P<path>/[^']*)'")
_FIX = re.compile(r"fix: (?P<fix>.*?)\.?$")


def verdict_changes(verdict: dict[str, Any]) -> list[Change]:
    """The registry's verbose verdict as WIRE changes: its kinds map to the WIRE rules, a kind
    the gate does not know to WIRE_INCOMPATIBLE."""
    if verdict.get("is_compatible", True):
        return []
    out = []
    messages = [str(m) for m in verdict.get("messages") or []]
    for m in messages:
        ours, confluent = _OURS.match(m), _CONFLUENT.search(m)
        if ours:
            kind, path, msg = ours.group("kind"), ours.group("path"), ours.group("msg")
            fix_match = _FIX.search(ours.group("rest") or "")
        elif confluent:
            kind, msg = confluent.group("kind"), confluent.group("msg")
            at = _AT_PATH.search(msg)
            path, fix_match = (at.group("path") if at else ""), None
        else:
            continue  # {oldSchemaVersion: 1}, {compatibility: 'BACKWARD'}, ...
        rule = wire.KINDS.get(kind, wire.OTHER)
        fix = fix_match.group("fix") if fix_match else rule.fix
        message = msg if rule is not wire.OTHER else f"{kind}: {msg}"
        out.append(Change(rule, "" if path == "/" else path, f"registry: {message}", fix))
    if not out:
        text = "; ".join(messages) or "no reason given"
        out.append(Change(wire.OTHER, "", f"registry: incompatible: {text}", wire.OTHER.fix))
    return out


def drift_change(subject: str, catalog_level: str, registry_level: str) -> Change | None:
    if not registry_level or catalog_level.upper() == registry_level.upper():
        return None
    return Change(
        LEVEL_DRIFT,
        "",
        f"subject '{subject}': the registry checks it at {registry_level}, the catalog states "
        f"{catalog_level}",
        "run `make register` (it sets each subject's level from the catalog), or change the "
        "catalog's level on purpose",
    )


def run(repo: Repo, url: str, interop_check: bool = True) -> Result:
    """Every subject against the registry at `url`."""
    work = tempfile.TemporaryDirectory(prefix="gate-registry-")
    blobs = Blobs(repo.root)
    with httpx.Client(base_url=url, timeout=10) as client, work:
        registry = Registry(client)
        downloaded: list[ModuleType] = []

        def base_classes(_: Version) -> ModuleType:
            if not downloaded:
                target = Path(work.name) / "contracts"
                download(registry, repo, target, fill_from_worktree=True)
                downloaded.append(interop.generate(repo.root, target, f"registry-{url}"))
            return downloaded[0]

        check = Check(repo, False, interop_check, base_classes, _git_introduced(repo, blobs))
        check.result.notes.append(f"checked against the registry {url}")
        try:
            for subject in repo.subjects():
                _subject(check, registry, subject)
        finally:
            blobs.close()
        return finish(check)


def _subject(check: Check, registry: Registry, subject: Subject) -> None:
    repo, result = check.repo, check.result
    history = registry.versions(subject.name)
    if not history:  # `make register` sets its level when it registers it
        result.notes.append(f"{subject.name}: not registered: new, nothing to compare with")
        result.checked += 1
        result.subjects.append(subject.name)
        return
    level = registry.level(subject.name)
    drift = drift_change(subject.name, subject.level, level)
    if drift:
        result.findings.append(_at_catalog(repo, subject, drift))
    before = len(result.findings)
    check_subject(check, subject, history)
    local_wire = {(f.rule, f.pointer) for f in result.findings[before:] if f.category == "WIRE"}
    contract = subject.contract
    refs = registry.reference_versions(repo, contract)
    verdict = registry.verdict(subject.name, contract.text, refs)
    for change in verdict_changes(verdict):
        finding = repo.finding(contract, change, subject.name, f"registry latest at {level}")
        if (finding.rule, finding.pointer) not in local_wire:
            result.findings.append(check.latest(finding))
    if verdict.get("is_compatible", True) and local_wire:
        result.notes.append(
            f"{subject.name}: the registry accepts this change at its level {level}; "
            f"the catalog's level {subject.level} does not"
        )


def _at_catalog(repo: Repo, subject: Subject, change: Change) -> Finding:
    catalog = repo.contracts_dir / "catalog.yaml"
    line, col = locate_yaml(catalog.read_text(), subject.keys)
    rule = change.rule
    return Finding(
        "contracts/catalog.yaml",
        line,
        col,
        rule.id,
        rule.category,
        change.message,
        change.fix,
        subject.name,
        field=key_path(subject.keys),
        subjects=(subject.name,),
    )


def _git_introduced(repo: Repo, blobs: Blobs) -> Callable[[str], str]:
    """Commit attribution for findings when the repository is a git clone, else none."""
    try:
        baseline = resolve(repo.root, None, blobs)
    except HistoryError:
        return lambda path: ""
    return lambda path: baseline.introduced(path, (repo.root / path).read_text())


def download(
    registry: Registry,
    repo: Repo,
    target: Path,
    subjects: list[str] | None = None,
    fill_from_worktree: bool = False,
) -> list[str]:
    """Write the registry's latest schema of each catalog subject (or of `subjects`) to `target`,
    laid out like contracts/ with its catalog.yaml, so codegen and diff read it as they read
    contracts/. Returns one line per subject; unregistered subjects keep the working tree's file
    when `fill_from_worktree`, else are skipped."""
    known = {s.name: s for s in repo.subjects()}
    unknown = sorted(set(subjects or []) - set(known))
    if unknown:
        raise RegistryUnavailable(f"no such subject in the catalog: {', '.join(unknown)}")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(repo.contracts_dir / "catalog.yaml", target / "catalog.yaml")
    lines = []
    for name, s in known.items():
        if subjects and name not in subjects:
            continue
        latest = registry.latest(name)
        path = target / s.contract.file
        path.parent.mkdir(parents=True, exist_ok=True)
        if latest is None:
            if fill_from_worktree:
                path.write_text(s.contract.text)
            lines.append(f"{name}: not registered")
            continue
        path.write_text(_pretty(latest["schema"]))
        lines.append(f"{name}: version {latest['version']} -> {path}")
    if fill_from_worktree:
        for c in repo.catalog.contracts.values():
            if not (target / c.file).exists():
                (target / c.file).parent.mkdir(parents=True, exist_ok=True)
                (target / c.file).write_text(c.text)
    return lines


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    except json.JSONDecodeError:
        return text
