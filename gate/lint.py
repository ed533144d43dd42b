"""`gate lint`: every contract in the catalog against the LINT rules, and the catalog against
what the services declare."""

from __future__ import annotations

from pathlib import PurePosixPath

from avrokit import InvalidSchema, parse_schema
from avrokit.yamlfile import key_path, locate_yaml
from gate import declarations
from gate.context import Repo
from gate.findings import Finding
from gate.rules import lint
from gate.rules.model import Change


def run(repo: Repo) -> tuple[list[Finding], int]:
    cat = repo.catalog
    metadata = next(
        (s.contract.full_name for s in cat.shared_types if s.contract.name == "EventMetadata"), None
    )
    events = {c.full_name for c in cat.event_contracts()}
    findings: list[Finding] = []
    contracts = list(cat.contracts.values())
    for contract in contracts:
        try:
            parse_schema(contract.text, repo.reference_texts(contract))
        except InvalidSchema as exc:
            findings.append(
                repo.finding(contract, Change(lint.INVALID, "", exc.reason, lint.INVALID.fix))
            )
        changes = lint.check(
            contract.schema,
            PurePosixPath(contract.file.as_posix()),
            metadata if contract.full_name in events else None,
        )
        findings += [repo.finding(contract, c) for c in changes]
    findings += _catalog_against_services(repo)
    return findings, len(contracts)


def _catalog_against_services(repo: Repo) -> list[Finding]:
    """One finding per owner or consumer the services' declarations contradict."""
    services = declarations.declared(repo.root)
    if services is None:
        return []  # no services in this tree (e.g. a contracts-only checkout)
    text = (repo.contracts_dir / "catalog.yaml").read_text()
    rule = declarations.RULE
    out = []
    for m in declarations.compare_catalog(repo.catalog, services):
        line, col = locate_yaml(text, m.keys)
        out.append(
            Finding(
                "contracts/catalog.yaml",
                line,
                col,
                rule.id,
                rule.category,
                m.message,
                m.fix,
                field=key_path(m.keys),
            )
        )
    return out
