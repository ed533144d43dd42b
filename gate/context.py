"""The repository the gate runs on: root, catalog, subjects and how to place a finding in a file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from avrokit.catalog import Catalog, Contract, load_catalog
from gate.findings import Finding
from gate.locate import Locator
from gate.rules.model import Change


@dataclass(frozen=True)
class Subject:
    name: str
    contract: Contract
    level: str


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
        out = [Subject(s.subject, s.contract, s.compatibility) for s in cat.shared_types]
        out += [Subject(t.value_subject, t.value, t.compatibility) for t in cat.topics.values()]
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
        line, col = _locator(contract.text).locate(change.path)
        return Finding(
            self.rel(contract),
            line,
            col,
            change.rule.id,
            change.rule.category,
            change.message,
            change.fix,
            subject,
            change.path,
            against,
        )


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
