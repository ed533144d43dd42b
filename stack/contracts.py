"""Topics and schemas from contracts/: create the topics, register the contracts."""

from __future__ import annotations

from collections.abc import Callable

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import SchemaRegistryClient

from avrokit import compact_json
from avrokit.catalog import Catalog, load_catalog
from services.runtime.registration import SubjectSchema, register_all


def create_topics(
    bootstrap: str, catalog: Catalog | None = None, timeout: float = 30.0
) -> list[str]:
    """Create every catalog topic and the DLQ (3 partitions each); existing ones are kept."""
    catalog = catalog or load_catalog()
    wanted = {name: t.partitions for name, t in catalog.topics.items()}
    wanted[catalog.dlq_topic] = catalog.dlq_partitions
    admin = AdminClient({"bootstrap.servers": bootstrap})
    existing = set(admin.list_topics(timeout=timeout).topics)
    new = [NewTopic(n, p, 1) for n, p in wanted.items() if n not in existing]
    if new:
        for topic, future in admin.create_topics(new, operation_timeout=timeout).items():
            try:
                future.result()
            except KafkaException as exc:
                if "TOPIC_ALREADY_EXISTS" not in str(exc):
                    raise RuntimeError(f"cannot create topic {topic!r}: {exc}") from exc
    return sorted(wanted)


def catalog_schemas(catalog: Catalog) -> tuple[list[SubjectSchema], list[SubjectSchema]]:
    """Schemas as compact JSON: the exact text the generated classes carry and look up."""
    shared = [
        SubjectSchema(
            s.subject, compact_json(s.contract.schema), s.contract.references, s.compatibility
        )
        for s in catalog.shared_types
    ]
    subjects = [
        SubjectSchema(
            t.value_subject, compact_json(t.value.schema), t.value.references, t.compatibility
        )
        for t in catalog.topics.values()
    ]
    return shared, subjects


def register_contracts(
    registry_url: str,
    catalog: Catalog | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, int]:
    """Register every contract under its subject, at the catalog's compatibility level."""
    catalog = catalog or load_catalog()
    client = SchemaRegistryClient({"url": registry_url})
    return register_all(client, *catalog_schemas(catalog), progress=progress)
