"""python-schema-registry-client (PyPI, 2.6.1) beside confluent-kafka's client: every Avro
operation of its sync and async clients, and both Avro message serializers, against the registry.

One scenario runs through both clients: `call(name, *args)` invokes the sync method, or runs the
async one to completion. Global config calls go through `config/` with a trailing slash (the
client's own URL), which Confluent serves as `/config`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from schema_registry.client import AsyncSchemaRegistryClient, SchemaRegistryClient
from schema_registry.client.errors import ClientError
from schema_registry.client.schema import AvroSchema, SubjectVersion
from schema_registry.serializers import AsyncAvroMessageSerializer, AvroMessageSerializer

pytestmark = pytest.mark.integration

V1 = {
    "type": "record",
    "name": "Deployment",
    "namespace": "shop.test",
    "fields": [{"name": "image", "type": "string"}, {"name": "replicas", "type": "int"}],
}
V2 = {**V1, "fields": [*V1["fields"], {"name": "port", "type": ["null", "int"], "default": None}]}
BREAKING = {**V1, "fields": [V1["fields"][0], {"name": "replicas", "type": "string"}]}

Call = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, registry_url: str) -> Iterator[Call]:
    """The named client method, called synchronously (the async client's through asyncio.run)."""
    if request.param == "sync":
        sync_client = SchemaRegistryClient(url=registry_url)
        yield lambda name, *args, **kwargs: getattr(sync_client, name)(*args, **kwargs)
    else:
        client = AsyncSchemaRegistryClient(url=registry_url)
        yield lambda name, *args, **kwargs: asyncio.run(getattr(client, name)(*args, **kwargs))


@pytest.fixture
def global_config_restored(registry_url: str) -> Iterator[None]:
    yield
    httpx.delete(f"{registry_url}/config")


def test_register_look_up_and_read(call: Call, subject: str) -> None:
    first = call("register", subject, AvroSchema(V1))
    assert isinstance(first, int)
    found = call("check_version", subject, AvroSchema(V1))
    assert (found.subject, found.schema_id, found.version) == (subject, first, 1)
    second = call("register", subject, AvroSchema(V2))
    assert second != first
    assert subject in call("get_subjects")
    assert call("get_versions", subject) == [1, 2]
    latest = call("get_schema", subject)
    assert (latest.schema_id, latest.version, latest.schema.raw_schema) == (second, 2, V2)
    assert call("get_schema", subject, 1).schema_id == first
    assert call("get_schema", subject, 99) is None  # 40402
    assert call("get_schema", subject, "first") is None  # 42202
    assert call("get_by_id", first).raw_schema == V1
    assert call("get_by_id", 2**31 - 1) is None  # 40403
    assert SubjectVersion(subject, 2) in call("get_schema_subject_versions", second)
    assert call("get_schema_subject_versions", 2**31 - 1) is None
    assert call("check_version", f"{subject}-none", AvroSchema(V1)) is None  # 40401


def test_compatibility(call: Call, subject: str) -> None:
    assert call("update_compatibility", "FULL", subject) is True
    assert call("get_compatibility", subject) == "FULL"
    call("register", subject, AvroSchema(V1))
    assert call("test_compatibility", subject, AvroSchema(V2)) is True
    assert call("test_compatibility", subject, AvroSchema(BREAKING)) is False
    verbose = call("test_compatibility", subject, AvroSchema(BREAKING), verbose=True)
    assert verbose["is_compatible"] is False and verbose["messages"]
    assert call("test_compatibility", subject, AvroSchema(V2), version=1) is True
    assert call("test_compatibility", subject, AvroSchema(V2), version=7) is False  # 40402
    with pytest.raises(ClientError) as err:
        call("register", subject, AvroSchema(BREAKING))
    assert err.value.http_code == 409


@pytest.mark.usefixtures("global_config_restored")
def test_global_compatibility_through_config_with_trailing_slash(call: Call) -> None:
    assert call("get_compatibility") == "BACKWARD"
    assert call("update_compatibility", "FORWARD_TRANSITIVE") is True
    assert call("get_compatibility") == "FORWARD_TRANSITIVE"


def test_delete_version_and_subject(call: Call, subject: str) -> None:
    call("update_compatibility", "NONE", subject)
    for schema in (V1, V2, BREAKING):
        call("register", subject, AvroSchema(schema))
    assert call("delete_version", subject, 1) == 1
    assert call("delete_version", subject, 1) is None  # already soft-deleted: 40406
    assert call("get_versions", subject) == [2, 3]
    assert call("delete_version", subject) == 3  # "latest"
    assert call("delete_subject", subject) == [2]  # only what this call deleted
    assert call("delete_subject", subject) == []  # 40404: nothing left to soft-delete
    assert call("get_versions", subject) == []  # 40401


def test_avro_message_serializers(registry_url: str, subject: str) -> None:
    record = {"image": "shop:1", "replicas": 3}
    sync_serializer = AvroMessageSerializer(SchemaRegistryClient(url=registry_url))
    framed = sync_serializer.encode_record_with_schema(subject, AvroSchema(V1), record)
    assert framed[0] == 0 and sync_serializer.decode_message(framed) == record

    async def round_trip() -> tuple[bytes, dict, dict]:
        serializer = AsyncAvroMessageSerializer(AsyncSchemaRegistryClient(url=registry_url))
        again = await serializer.encode_record_with_schema(subject, AvroSchema(V1), record)
        by_id = await serializer.encode_record_with_schema_id(
            int.from_bytes(framed[1:5], "big"), record
        )
        decoded = await serializer.decode_message(framed)
        return again, decoded, await serializer.decode_message(by_id)

    again, decoded, decoded_by_id = asyncio.run(round_trip())
    assert again == framed and decoded == record and decoded_by_id == record
    # a fresh sync serializer reads the async one's bytes (schema fetched by id from the registry)
    assert (
        AvroMessageSerializer(SchemaRegistryClient(url=registry_url)).decode_message(again)
        == record
    )
