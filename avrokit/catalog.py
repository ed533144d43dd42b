"""The contracts as Python sees them: `contracts/catalog.yaml` plus the `.avsc` files it names.

Everything that needs to know which topics exist, which schema each carries and at which
compatibility level (codegen, registration, the gate, the docs) reads it through `load_catalog`,
which validates it whole first: the YAML against the pydantic models below (unknown keys are
errors; `gate docs` publishes their JSON Schema for editors), every contract strictly (UTF-8,
JSON, nesting depth, names, fields, types), so no tool generates or checks anything from a
malformed input and each problem is one line naming the file, the line and the key or JSON path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from avrokit.levels import CompatibilityLevel
from avrokit.names import defined_names, named_types, used_names
from avrokit.schema import MAX_DEPTH, InvalidSchema, check_structure, json_depth
from avrokit.yamlfile import InputError, display, key_path, load_model, locate_yaml, read_text

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
    replication_factor: int = 3  # of every topic (topic_defaults)
    min_insync_replicas: int = 2

    def shared_type(self, full_name: str) -> SharedType:
        for shared in self.shared_types:
            if shared.contract.full_name == full_name:
                return shared
        raise CatalogError(
            f"{display(self.root / 'catalog.yaml')}: no shared type named {full_name!r}"
        )

    def event_contracts(self) -> list[Contract]:
        """Each event contract once, in catalog order (one contract may serve several topics)."""
        seen: dict[str, Contract] = {}
        for topic in self.topics.values():
            seen.setdefault(topic.value.full_name, topic.value)
        return list(seen.values())

    def topics_of(self, contract: Contract) -> list[Topic]:
        return [t for t in self.topics.values() if t.value.full_name == contract.full_name]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SharedTypeEntry(_Entry):
    name: str = Field(description="Full name of the type the file defines.")
    file: str = Field(description="The .avsc file, relative to contracts/.")
    subject: str = Field(description="Registry subject it is registered under.")
    compatibility: CompatibilityLevel
    reason: str = ""


class TopicEntry(_Entry):
    value: str = Field(description="The .avsc file of the value, relative to contracts/.")
    partitions: int = Field(strict=True, ge=1)
    owner: str = Field(description="The service that produces it.")
    consumers: list[str] = Field(description="The services that subscribe to it.")
    compatibility: CompatibilityLevel
    reason: str = ""
    key: str | None = Field(
        default=None, description="The value field whose text is the message key (none: unkeyed)."
    )


class DeadLetterQueueEntry(_Entry):
    topic: str = "dead_letter_queue"
    partitions: int = Field(default=3, strict=True, ge=1)


class TopicDefaultsEntry(_Entry):
    replication_factor: int = Field(
        default=3,
        strict=True,
        ge=1,
        description="Replicas of every topic (an environment may lower it).",
    )
    min_insync_replicas: int = Field(
        default=2, strict=True, ge=1, description="min.insync.replicas of every replicated topic."
    )


class CatalogFile(_Entry):
    """contracts/catalog.yaml."""

    model_config = ConfigDict(extra="forbid", title="event catalog")

    shared_types: list[SharedTypeEntry] = Field(default_factory=list)
    topics: dict[str, TopicEntry]
    dead_letter_queue: DeadLetterQueueEntry = Field(default_factory=lambda: DeadLetterQueueEntry())
    topic_defaults: TopicDefaultsEntry = Field(default_factory=lambda: TopicDefaultsEntry())


EXPECTED = "a mapping with keys shared_types, topics and dead_letter_queue"


def load_contract(root: Path, relative: str, where: str = "") -> Contract:
    """One `.avsc` file, strictly checked (UTF-8, JSON, depth, names, fields, types) before
    anything uses it; CatalogError naming the file and the JSON path. `where` names the catalog
    entry that points at it, for a file that does not exist."""
    path = root / relative
    if not path.is_file():
        raise CatalogError(
            f"{where or display(root / 'catalog.yaml')}: file {relative!r} does not exist"
        )
    try:
        text = read_text(path)
    except InputError as exc:
        raise CatalogError(str(exc)) from None
    deepest, at = json_depth(text)
    if deepest > MAX_DEPTH:
        line = text.count("\n", 0, at) + 1
        raise CatalogError(
            f"{display(path)}:{line}: nested {deepest} levels deep; expected at most {MAX_DEPTH}"
        )
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{display(path)}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
        ) from None
    if not isinstance(schema, dict) or schema.get("type") not in (
        "record",
        "enum",
        "fixed",
        "error",
    ):
        raise CatalogError(
            f"{display(path)}: expected one named Avro type (a JSON object with type record, enum "
            "or fixed)"
        )
    try:
        check_structure(schema)
    except InvalidSchema as exc:
        raise CatalogError(f"{display(path)}: {exc.reason}") from None
    refs = used_names(schema) - defined_names(schema)
    return Contract(Path(relative), text, schema, tuple(sorted(refs)))


KEY_TYPES = ("string", "int", "long")


def _key(where: str, key: str | None, value: Contract) -> str | None:
    """The topic's `key`: a top-level string, int or long field of its value (uuid allowed)."""
    if key is None:
        return None
    fields = {f.get("name"): f.get("type") for f in value.schema.get("fields", [])}
    if key not in fields:
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
                f"{display(catalog_file)}: topics.{topic.name}.key: key {topic.key!r} differs from "
                f"topic {other.name!r} ({other.key!r}); every topic carrying {topic.value.file} "
                "must use the same key"
            )


def load_catalog(root: Path = CONTRACTS_DIR) -> Catalog:
    """The catalog and every contract it names, validated: CatalogError (one line per problem,
    naming the file, the line and the key or JSON path) on anything malformed."""
    catalog_file = root / "catalog.yaml"
    try:
        raw = load_model(catalog_file, CatalogFile, EXPECTED)
    except InputError as exc:
        raise CatalogError(str(exc)) from None
    assert raw is not None
    text = read_text(catalog_file)
    contracts: dict[str, Contract] = {}
    defined: dict[str, str] = {}  # named type -> file defining it

    def contract(relative: str, keys: tuple[str | int, ...]) -> Contract:
        line, col = locate_yaml(text, keys)
        where = f"{display(catalog_file)}:{line}:{col}: {key_path(keys)}"
        loaded = load_contract(root, relative, where)
        if loaded.full_name not in contracts:
            for name in named_types(loaded.schema):
                if name in defined and defined[name] != relative:
                    raise CatalogError(
                        f"{display(root / relative)}: type {name!r} is also defined in "
                        f"{display(root / defined[name])}; define it once, in a shared type"
                    )
                defined[name] = relative
        return contracts.setdefault(loaded.full_name, loaded)

    shared = []
    for i, entry in enumerate(raw.shared_types):
        c = contract(entry.file, ("shared_types", i, "file"))
        if c.full_name != entry.name:
            line, col = locate_yaml(text, ("shared_types", i, "name"))
            raise CatalogError(
                f"{display(catalog_file)}:{line}:{col}: shared_types[{i}].name: {entry.name!r}, "
                f"but {entry.file} defines {c.full_name!r}"
            )
        shared.append(SharedType(c, entry.subject, entry.compatibility.value, entry.reason))
    topics: dict[str, Topic] = {}
    for name, t in raw.topics.items():
        value = contract(t.value, ("topics", name, "value"))
        line, col = locate_yaml(text, ("topics", name, "key"))
        topics[name] = Topic(
            name=name,
            value=value,
            partitions=t.partitions,
            owner=t.owner,
            consumers=tuple(t.consumers),
            compatibility=t.compatibility.value,
            reason=t.reason,
            key=_key(f"{display(catalog_file)}:{line}:{col}: topics.{name}.key", t.key, value),
        )
    _check_keys_agree(catalog_file, topics)
    shared_names = {s.contract.full_name for s in shared}
    for c in contracts.values():
        unknown = set(c.references) - shared_names
        if unknown:
            raise CatalogError(
                f"{display(root / c.file)}: uses {', '.join(sorted(unknown))}, defined by no "
                "shared type in the catalog (expected a primitive, a type defined in the file, or "
                "a shared type)"
            )
    return Catalog(
        root=root,
        shared_types=tuple(shared),
        topics=topics,
        dlq_topic=raw.dead_letter_queue.topic,
        dlq_partitions=raw.dead_letter_queue.partitions,
        contracts=contracts,
        replication_factor=raw.topic_defaults.replication_factor,
        min_insync_replicas=raw.topic_defaults.min_insync_replicas,
    )
