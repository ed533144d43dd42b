"""The repository the gate runs on: root, catalog, subjects and how to place a finding in a file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from avrokit.catalog import Catalog, Contract, load_catalog
from gate.fieldpath import place
from gate.findings import Finding
from gate.locate import Locator
from gate.rules.model import Change


@dataclass(frozen=True)
class Subject:
    name: str
    contract: Contract
    level: str
    keys: tuple[str | int, ...] = ()  # where catalog.yaml states its level


@dataclass
class Repo:
    root: Path

    @property
    def contracts_dir(self) -> Path:
        return self.root / "contracts"

    @cached_property
    def catalog(self) -> Catalog:
        return load_catalog(self.contracts_dir)

    def rel(self, contract: Contract) -> str:
        return str(PurePosixPath("contracts") / PurePosixPath(contract.file.as_posix()))

    def subjects(self) -> list[Subject]:
        cat = self.catalog
        out = [
            Subject(s.subject, s.contract, s.compatibility, ("shared_types", i, "compatibility"))
            for i, s in enumerate(cat.shared_types)
        ]
        out += [
            Subject(t.value_subject, t.value, t.compatibility, ("topics", t.name, "compatibility"))
            for t in cat.topics.values()
        ]
        return out

    def reference_paths(self, contract: Contract) -> dict[str, str]:
        """Full name -> repository path of each shared type `contract` references."""
        cat = self.catalog
        return {name: self.rel(cat.shared_type(name).contract) for name in contract.references}

    def reference_texts(self, contract: Contract) -> tuple[str, ...]:
        return tuple((self.root / p).read_text() for p in self.reference_paths(contract).values())

    def finding(
        self, contract: Contract, change: Change, subject: str = "", against: str = ""
    ) -> Finding:
        """`change` (a pointer into `contract`) as a finding in the file that holds it: a pointer
        through a reference to a shared type lands in that type's own contract."""
        where = place(contract.full_name, contract.schema, change.path, self.shared_schemas)
        target = self.catalog.contracts.get(where.contract, contract)
        line, col = _locator(target.text).locate(where.pointer)
        return Finding(
            self.rel(target),
            line,
            col,
            change.rule.id,
            change.rule.category,
            change.message,
            change.fix,
            subject,
            where.pointer,
            against,
            field=f"{where.path}.{change.name}" if change.name else where.path,
            level=change.level,
            subjects=(subject,) if subject else (),
        )

    @cached_property
    def fingerprint(self) -> str:
        """A digest of catalog.yaml and every contract: equal exactly when the contracts are."""
        digest = hashlib.sha256((self.contracts_dir / "catalog.yaml").read_bytes())
        for c in sorted(self.catalog.contracts.values(), key=lambda c: c.file.as_posix()):
            digest.update(b"\0" + c.file.as_posix().encode() + b"\0" + c.text.encode())
        return digest.hexdigest()[:16]

    @cached_property
    def shared_schemas(self) -> dict[str, Any]:
        return {s.contract.full_name: s.contract.schema for s in self.catalog.shared_types}

    def subjects_using(self, contract: Contract) -> list[str]:
        """The subjects whose schema is `contract` or references it."""
        name = contract.full_name
        return [
            s.name
            for s in self.subjects()
            if s.contract.full_name == name or name in s.contract.references
        ]


_LOCATORS: dict[str, Locator] = {}


def _locator(text: str) -> Locator:
    if text not in _LOCATORS:
        _LOCATORS[text] = Locator(text)
    return _LOCATORS[text]


def canonical(text: str) -> str:
    try:
        return json.dumps(json.loads(text), sort_keys=True)
    except json.JSONDecodeError:
        return text
