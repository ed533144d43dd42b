"""Register schemas with a registry, references first: the one way schemas get registered.

`make register` feeds it the contracts (via the catalog); the in-memory test bus feeds it the
generated classes, which codegen derived from the same contracts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient

from services.events import SHARED_SCHEMAS, TOPIC_TYPES


@dataclass(frozen=True)
class SubjectSchema:
    subject: str
    text: str
    references: tuple[str, ...]  # full names of shared types, each registered under its own name
    compatibility: str | None = None


def register_all(
    client: SchemaRegistryClient,
    shared: Iterable[SubjectSchema],
    subjects: Iterable[SubjectSchema],
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, int]:
    """Register shared types, then subjects; set each subject's level first. Subject -> id."""
    versions: dict[str, int] = {}
    ids: dict[str, int] = {}
    for item in [*shared, *subjects]:
        if item.compatibility:
            client.set_compatibility(item.subject, item.compatibility)
        refs = [SchemaReference(name, name, versions[name]) for name in item.references]
        schema = Schema(item.text, "AVRO", refs)
        ids[item.subject] = client.register_schema(item.subject, schema)
        version = client.lookup_schema(item.subject, schema).version
        assert version is not None, f"registry returned no version for {item.subject}"
        versions[item.subject] = version
        progress(
            f"registered {item.subject} (id {ids[item.subject]}, version {versions[item.subject]})"
        )
    return ids


def generated_schemas() -> tuple[list[SubjectSchema], list[SubjectSchema]]:
    shared = [SubjectSchema(name, text, ()) for name, text in SHARED_SCHEMAS.items()]
    subjects = [
        SubjectSchema(f"{topic}-value", cls.AVRO_SCHEMA, cls.AVRO_REFERENCES)
        for topic, cls in TOPIC_TYPES.items()
    ]
    return shared, subjects
