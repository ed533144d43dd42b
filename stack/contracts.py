"""Topics and schemas from contracts/: create the topics, register the contracts."""

from __future__ import annotations

from collections.abc import Callable

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import (
    Schema,
    SchemaReference,
    SchemaRegistryClient,
    SchemaRegistryError,
)

from avrokit import compact_json
from avrokit.catalog import Catalog, load_catalog
from services.runtime.registration import SubjectSchema, register_all


def create_topics(
    bootstrap: str,
    catalog: Catalog | None = None,
    timeout: float = 30.0,
    replication_factor: int | None = None,
    partitions: dict[str, int] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> list[str]:
    """Create every catalog topic and the DLQ; existing ones are kept as they are.

    Partitions and replication factor come from the catalog unless this environment overrides
    them (`replication_factor`, `partitions` by topic name)."""
    catalog = catalog or load_catalog()
    wanted = {name: t.partitions for name, t in catalog.topics.items()}
    wanted[catalog.dlq_topic] = catalog.dlq_partitions
    unknown = set(partitions or {}) - set(wanted)
    if unknown:
        raise RuntimeError(f"TOPIC_PARTITIONS names topics not in the catalog: {sorted(unknown)}")
    wanted.update(partitions or {})
    replicas = replication_factor or catalog.replication_factor
    configs = {"min.insync.replicas": str(min(catalog.min_insync_replicas, replicas))}
    admin = AdminClient({"bootstrap.servers": bootstrap})
    existing = admin.list_topics(timeout=timeout).topics
    for name, count in sorted(wanted.items()):
        have = len(existing[name].partitions) if name in existing else count
        if have != count:
            say(
                f"topic {name} has {have} partitions, {count} wanted: not changed (raising it"
                " moves keys to other partitions; do it on purpose)"
            )
    new = [
        NewTopic(n, p, replicas, config=configs if replicas > 1 else {})
        for n, p in wanted.items()
        if n not in existing
    ]
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


def select(
    catalog: Catalog, subjects: list[str] | None
) -> tuple[list[SubjectSchema], list[SubjectSchema], list[str]]:
    """The catalog's schemas to register: every one, or the chosen `subjects` with the shared
    types they reference (registered first: an event's reference must name the version that
    holds the local text). Also one line per shared type added that way."""
    shared, topics = catalog_schemas(catalog)
    if not subjects:
        return shared, topics, []
    known = {s.subject for s in shared + topics}
    unknown = sorted(set(subjects) - known)
    if unknown:
        raise KeyError(f"no such subject in the catalog: {', '.join(unknown)}")
    chosen_topics = [t for t in topics if t.subject in subjects]
    needed = {r for t in chosen_topics for r in t.references}
    chosen_shared = [s for s in shared if s.subject in subjects or s.subject in needed]
    added = [
        f"{s.subject}: registered too, referenced by the chosen subjects"
        for s in chosen_shared
        if s.subject not in subjects
    ]
    return chosen_shared, chosen_topics, added


def register_contracts(
    registry_url: str,
    catalog: Catalog | None = None,
    progress: Callable[[str], None] = lambda _: None,
    subjects: list[str] | None = None,
) -> dict[str, int]:
    """Register every contract (or the chosen `subjects`) under its subject, at the catalog's
    compatibility level."""
    catalog = catalog or load_catalog()
    shared, topics, added = select(catalog, subjects)
    for line in added:
        progress(line)
    client = SchemaRegistryClient({"url": registry_url})
    return register_all(client, shared, topics, progress=progress)


def plan_registration(
    registry_url: str, catalog: Catalog | None = None, subjects: list[str] | None = None
) -> list[str]:
    """`make register DRY_RUN=1`: what registering would do, one line per subject; nothing is
    written to the registry."""
    catalog = catalog or load_catalog()
    shared, topics, added = select(catalog, subjects)
    client = SchemaRegistryClient({"url": registry_url})
    lines = list(added)
    versions: dict[str, int | None] = {}
    for item in [*shared, *topics]:
        level = _registry_level(client, item.subject)
        drift = f" (registry: {level})" if level != item.compatibility else ""
        pending = [n for n in item.references if versions.get(n) is None]
        if pending:
            lines.append(
                f"{item.subject}: would register a new version, referencing the new version of "
                f"{', '.join(pending)}; level {item.compatibility}{drift}"
            )
            continue
        refs = [SchemaReference(n, n, versions[n]) for n in item.references]
        schema = Schema(item.text, "AVRO", refs)
        try:
            found = client.lookup_schema(item.subject, schema)
            versions[item.subject] = found.version
            lines.append(
                f"{item.subject}: already registered as version {found.version} (id "
                f"{found.schema_id}); level {item.compatibility}{drift}"
            )
            continue
        except SchemaRegistryError as exc:
            if exc.http_status_code != 404:
                raise RuntimeError(f"{item.subject}: {exc}") from exc
        versions[item.subject] = None
        verdict = _verdict(client, item.subject, schema)
        lines.append(
            f"{item.subject}: would register a new version{verdict}; level "
            f"{item.compatibility}{drift}"
        )
    return lines


def _registry_level(client: SchemaRegistryClient, subject: str) -> str:
    try:
        return client.get_compatibility(subject)
    except SchemaRegistryError:
        return "unset"


def _verdict(client: SchemaRegistryClient, subject: str, schema: Schema) -> str:
    try:
        client.get_latest_version(subject)
    except SchemaRegistryError:
        return " (new subject)"
    try:
        ok = client.test_compatibility(subject, schema)
    except SchemaRegistryError as exc:
        return f" (the registry cannot test it: {exc})"
    return " (the registry says: compatible)" if ok else " (the registry says: INCOMPATIBLE)"
