"""confluent-kafka's own SchemaRegistryClient, AvroSerializer and AvroDeserializer, unchanged."""

from __future__ import annotations

import json

import pytest
from confluent_kafka.schema_registry import (
    ConfigCompatibilityLevel,
    Schema,
    SchemaReference,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.schema_registry_client import ServerConfig
from confluent_kafka.serialization import MessageField, SerializationContext
from registry_helpers import record

pytestmark = pytest.mark.integration

A = {"name": "a", "type": "int"}
B_OPT = {"name": "b", "type": ["null", "string"], "default": None}
B_REQ = {"name": "b", "type": "string"}


@pytest.fixture
def client(registry_url: str) -> SchemaRegistryClient:
    return SchemaRegistryClient({"url": registry_url})


def avro(text: str, refs: list[SchemaReference] | None = None) -> Schema:
    return Schema(text, "AVRO", refs or [])


def test_register_get_lookup(client: SchemaRegistryClient, subject: str) -> None:
    sid = client.register_schema(subject, avro(record("C1", A)))
    assert client.get_schema(sid).schema_str == record("C1", A)
    full = client.register_schema_full_response(subject, avro(record("C1", A, B_OPT)))
    assert full.schema_id != sid
    found = client.lookup_schema(subject, avro(record("C1", A)))
    assert (found.schema_id, found.version, found.subject) == (sid, 1, subject)
    with pytest.raises(SchemaRegistryError) as err:
        client.lookup_schema(subject, avro(record("C1", {"name": "zz", "type": "long"})))
    assert err.value.error_code == 40403 and err.value.http_status_code == 404


def test_get_schema_by_guid_and_types(
    client: SchemaRegistryClient, subject: str, registry_url: str
) -> None:
    import httpx

    sid = client.register_schema(subject, avro(record("Guid", A)))
    guid = httpx.get(f"{registry_url}/schemas/ids/{sid}").json()["guid"]
    assert client.get_schema_by_guid(guid).schema_str == record("Guid", A)
    assert client.get_schema_types() == ["AVRO"]
    assert client.get_contexts() == ["."]


def test_subjects_versions_and_ids(client: SchemaRegistryClient, subject: str) -> None:
    sid = client.register_schema(subject, avro(record("Sv", A)))
    client.register_schema(subject, avro(record("Sv", A, B_OPT)))
    assert subject in client.get_subjects()
    assert client.get_versions(subject) == [1, 2]
    latest = client.get_latest_version(subject)
    assert latest.version == 2 and latest.subject == subject
    v1 = client.get_version(subject, 1)
    assert v1.schema_id == sid and v1.schema.schema_str == record("Sv", A)
    assert client.get_subjects_by_schema_id(sid) == [subject]
    [pair] = client.get_schema_versions(sid)
    assert (pair.subject, pair.version) == (subject, 1)


def test_delete_version_and_subject(client: SchemaRegistryClient, subject: str) -> None:
    client.register_schema(subject, avro(record("Dl", A)))
    client.register_schema(subject, avro(record("Dl", A, B_OPT)))
    assert client.delete_version(subject, 2) == 2
    assert client.delete_version(subject, 2, permanent=True) == 2
    assert client.get_versions(subject) == [1]
    with pytest.raises(SchemaRegistryError) as err:
        client.delete_subject(subject, permanent=True)
    assert err.value.error_code == 40405
    assert client.delete_subject(subject) == [1]
    assert client.delete_subject(subject, permanent=True) == [1]
    with pytest.raises(SchemaRegistryError) as err:
        client.get_latest_version(subject)
    assert err.value.error_code == 40401


def test_compatibility_methods(client: SchemaRegistryClient, subject: str) -> None:
    assert client.set_compatibility(subject, "full") == {"compatibility": "FULL"}
    assert client.get_compatibility(subject) == "FULL"
    client.register_schema(subject, avro(record("Cm", A)))
    assert client.test_compatibility(subject, avro(record("Cm", A, B_OPT))) is True
    assert (
        client.test_compatibility(subject, avro(record("Cm", A, B_REQ)), version=1, verbose=True)
        is False
    )
    assert client.test_compatibility_all_versions(subject, avro(record("Cm", A, B_REQ))) is False
    with pytest.raises(SchemaRegistryError) as err:
        client.register_schema(subject, avro(record("Cm", A, B_REQ)))
    assert (
        err.value.http_status_code == 409
        and "add a default to field 'b'" in err.value.error_message
    )
    with pytest.raises(SchemaRegistryError) as err:
        client.set_compatibility(subject, "SIDEWAYS")
    assert err.value.error_code == 42203
    assert client.get_compatibility() == "BACKWARD"


def test_config_and_mode_methods(client: SchemaRegistryClient, subject: str) -> None:
    client.set_config(subject, ServerConfig(compatibility=ConfigCompatibilityLevel.FORWARD))
    assert client.get_config(subject).compatibility_level == "FORWARD"
    assert client.delete_config(subject).compatibility_level == "FORWARD"
    assert client.get_config().compatibility_level == "BACKWARD"
    assert client.update_mode(subject, "READONLY") == "READONLY"
    assert client.get_mode(subject) == "READONLY"
    with pytest.raises(SchemaRegistryError) as err:
        client.register_schema(subject, avro(record("Md", A)))
    assert err.value.error_code == 42205
    assert client.delete_mode(subject) == "READONLY"
    assert client.get_global_mode() == "READWRITE"
    assert client.update_global_mode("READWRITE") == "READWRITE"
    assert client.register_schema(subject, avro(record("Md", A))) > 0


def test_invalid_schema_via_client(client: SchemaRegistryClient, subject: str) -> None:
    with pytest.raises(SchemaRegistryError) as err:
        client.register_schema(
            subject, avro(record("Bad", {"name": "n", "type": "int", "default": "abc"}))
        )
    assert (err.value.http_status_code, err.value.error_code) == (422, 42201)
    assert "'n'" in err.value.error_message


def test_references_with_serializer_and_deserializer(
    client: SchemaRegistryClient, subject: str, registry_url: str
) -> None:
    meta_subject = subject + "-meta"
    meta = json.dumps(
        {
            "type": "record",
            "name": "Meta",
            "namespace": "ev",
            "fields": [{"name": "id", "type": "string"}],
        }
    )
    client.register_schema(meta_subject, avro(meta))
    event = record("Placed", {"name": "meta", "type": "ev.Meta"}, {"name": "qty", "type": "int"})
    refs = [SchemaReference("ev.Meta", meta_subject, 1)]
    event_id = client.register_schema(subject, avro(event, refs))
    assert client.get_referenced_by(meta_subject, 1) == [event_id]
    fetched = client.get_schema(event_id)
    assert [(r.name, r.subject, r.version) for r in fetched.references] == [
        ("ev.Meta", meta_subject, 1)
    ]

    topic = subject.removesuffix("-value")
    serializer = AvroSerializer(
        client, None, conf={"auto.register.schemas": False, "use.latest.version": True}
    )
    ctx = SerializationContext(topic, MessageField.VALUE)
    value = {"meta": {"id": "evt-1"}, "qty": 3}
    data = serializer(value, ctx)
    assert data[0] == 0 and int.from_bytes(data[1:5], "big") == event_id
    # a fresh client, so nothing comes from the serializer's caches
    deserializer = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    assert deserializer(data, ctx) == value


def test_subject_with_slash(client: SchemaRegistryClient, subject: str) -> None:
    name = f"team/{subject}"  # the client sends it as team%2F...
    sid = client.register_schema(name, avro(record("Sl", A)))
    assert client.get_latest_version(name).schema_id == sid
    assert client.lookup_schema(name, avro(record("Sl", A))).subject == name
    assert name in client.get_subjects()
    assert client.delete_subject(name) == [1]
