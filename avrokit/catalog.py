"""The contracts as Python sees them: `contracts/catalog.yaml` plus the `.avsc` files it names.

Everything that needs to know which topics exist, which schema each carries and at which
compatibility level (codegen, registration, the gate, the docs) reads it through `load_catalog`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from avrokit.levels import CompatibilityLevel
from avrokit.names import defined_names, used_names
from avrokit.yamlfile import InputError

CONTRACTS_DIR = Path(__file__).resolve().parent.parent / "contracts"


class CatalogError(InputError):
    """The catalog or a contract is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Contract:
    """One `.avsc` file: a named Avro type and the shared named types it references."""

    file: Path  # relative to the contracts dir, e.g. shop/events/order_created.avsc
    text: str
    schema: dict[str, Any]
    references: tuple[str, ...]  # full names of shared types used but not defined here

    @property
    def full_name(self) -> str:
        return f"{self.schema.get('namespace', '')}.{self.schema['name']}".lstrip(".")

    @property
    def name(self) -> str:
        return str(self.schema["name"])


@dataclass(frozen=True)
class SharedType:
    contract: Contract
    subject: str
    compatibility: str
    reason: str


@dataclass(frozen=True)
class Topic:
    name: str
    value: Contract
    partitions: int
    owner: str
    consumers: tuple[str, ...]
    compatibility: str
    reason: str
    key: str | None = None  # the value field whose text is the message key; None: unkeyed

    @property
    def value_subject(self) -> str:
        return f"{self.name}-value"


@dataclass(frozen=True)
class Catalog:
    root: Path
    shared_types: tuple[SharedType, ...]
    topics: dict[str, Topic]
    dlq_topic: str
    dlq_partitions: int
    contracts: dict[str, Contract] = field(default_factory=dict)  # by full name

    def shared_type(self, full_name: str) -> SharedType:
        for shared in self.shared_types:
            if shared.contract.full_name == full_name:
                return shared
        raise CatalogError(f"{self.root}/catalog.yaml: no shared type named {full_name!r}")

    def event_contracts(self) -> list[Contract]:
        """Each event contract once, in catalog order (one contract may serve several topics)."""
        seen: dict[str, Contract] = {}
        for topic in self.topics.values():
            seen.setdefault(topic.value.full_name, topic.value)
        return list(seen.values())

    def topics_of(self, contract: Contract) -> list[Topic]:
        return [t for t in self.topics.values() if t.value.full_name == contract.full_name]


def load_contract(root: Path, relative: str) -> Contract:
    path = root / relative
    if not path.is_file():
        raise CatalogError(f"{root / 'catalog.yaml'}: contract file {relative!r} does not exist")
    text = path.read_text()
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    except RecursionError:
        raise CatalogError(f"{path}: nested too deeply to be a schema") from None
    if not isinstance(schema, dict) or "name" not in schema:
        raise CatalogError(f"{path}: a contract must be one named Avro type (a JSON object)")
    refs = used_names(schema) - defined_names(schema)
    return Contract(Path(relative), text, schema, tuple(sorted(refs)))


def _level(where: str, entry: dict[str, Any]) -> str:
    level = str(entry.get("compatibility", ""))
    if level not in CompatibilityLevel.__members__:
        known = sorted(CompatibilityLevel.__members__)
        raise CatalogError(f"{where}: compatibility {level!r} is not one of {known}")
    return level


KEY_TYPES = ("string", "int", "long")


def _key(where: str, entry: dict[str, Any], value: Contract) -> str | None:
    """The topic's `key`: a top-level string, int or long field of its value (uuid allowed)."""
    key = entry.get("key")
    if key is None:
        return None
    fields = {f.get("name"): f.get("type") for f in value.schema.get("fields", [])}
    if not isinstance(key, str) or key not in fields:
        raise CatalogError(
            f"{where}: key {key!r} is not a field of {value.full_name} ({value.file});"
            " name the value field whose text is the message key"
        )
    node = fields[key]
    base, logical = (
        (node.get("type"), node.get("logicalType")) if isinstance(node, dict) else (node, None)
    )
    if base not in KEY_TYPES or logical not in (None, "uuid") or (logical and base != "string"):
        label = f"{base}/{logical}" if logical else json.dumps(base)
        raise CatalogError(
            f"{where}: key field {key!r} of {value.file} is {label}; a key must be a"
            f" non-null {', '.join(KEY_TYPES)} (or uuid) field, whose text becomes the key"
        )
    return key


def _check_keys_agree(catalog_file: Path, topics: dict[str, Topic]) -> None:
    """Every topic carrying one contract takes the key from the same field."""
    first: dict[str, Topic] = {}
    for topic in topics.values():
        other = first.setdefault(topic.value.full_name, topic)
        if other.key != topic.key:
            raise CatalogError(
                f"{catalog_file}: topic {topic.name!r}: key {topic.key!r} differs from topic"
                f" {other.name!r} ({other.key!r}); every topic carrying {topic.value.file} must"
                " use the same key"
            )


def load_catalog(root: Path = CONTRACTS_DIR) -> Catalog:
    catalog_file = root / "catalog.yaml"
    try:
        raw = yaml.safe_load(catalog_file.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{catalog_file}: cannot read the catalog: {exc}") from exc
    contracts: dict[str, Contract] = {}

    def contract(relative: str) -> Contract:
        loaded = load_contract(root, relative)
        return contracts.setdefault(loaded.full_name, loaded)

    shared = tuple(
        SharedType(
            contract(entry["file"]),
            entry["subject"],
            _level(f"{catalog_file}: shared type {entry.get('name')!r}", entry),
            entry.get("reason", ""),
        )
        for entry in raw.get("shared_types", [])
    )
    topics: dict[str, Topic] = {}
    for name, entry in (raw.get("topics") or {}).items():
        where = f"{catalog_file}: topic {name!r}"
        for key in ("value", "partitions", "owner", "consumers"):
            if key not in entry:
                raise CatalogError(f"{where}: missing {key!r}")
        value = contract(entry["value"])
        topics[name] = Topic(
            name=name,
            value=value,
            partitions=int(entry["partitions"]),
            owner=entry["owner"],
            consumers=tuple(entry["consumers"]),
            compatibility=_level(where, entry),
            reason=entry.get("reason", ""),
            key=_key(where, entry, value),
        )
    _check_keys_agree(catalog_file, topics)
    shared_names = {s.contract.full_name for s in shared}
    for c in contracts.values():
        unknown = set(c.references) - shared_names
        if unknown:
            raise CatalogError(
                f"{root / c.file}: uses {sorted(unknown)}, defined by no shared type in the catalog"
            )
    dlq = raw.get("dead_letter_queue") or {}
    return Catalog(
        root=root,
        shared_types=shared,
        topics=topics,
        dlq_topic=dlq.get("topic", "dead_letter_queue"),
        dlq_partitions=int(dlq.get("partitions", 3)),
        contracts=contracts,
    )
