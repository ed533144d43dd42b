"""The serde: round trips, failures sorted into error classes, interop with confluent's serde."""

from __future__ import annotations

import io
import json
import struct

import fastavro
import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from avrokit.defaults import parse_with_shared
from services import events as ev
from services.runtime.errors import (
    NotFramedError,
    SubjectNotRegisteredError,
    UndecodableError,
    UnknownSchemaError,
)
from services.runtime.serde import EventSerde
from services.runtime.testing import mock_registry
from tests.samples import sample_events

SAMPLES = sample_events()
IDS = [topic for topic, _ in SAMPLES]


@pytest.fixture
def serde() -> EventSerde:
    return EventSerde(mock_registry())


@pytest.mark.parametrize(("topic", "event"), SAMPLES, ids=IDS)
def test_every_contract_round_trips(serde: EventSerde, topic: str, event: ev.Event) -> None:
    data = serde.serialize(event, topic)
    assert data[0] == 0  # magic byte
    schema_id = struct.unpack(">I", data[1:5])[0]
    assert serde.registry.get_schema(schema_id).schema_str == type(event).AVRO_SCHEMA
    back = serde.deserialize(data, topic)
    assert back == event
    assert back.metadata.occurred_at.tzinfo is not None


@pytest.mark.parametrize(("topic", "event"), SAMPLES, ids=IDS)
def test_stock_deserializer_reads_our_bytes(serde: EventSerde, topic: str, event: ev.Event) -> None:
    stock = AvroDeserializer(serde.registry)
    record = stock(serde.serialize(event, topic), SerializationContext(topic, MessageField.VALUE))
    assert type(event).model_validate(record) == event


@pytest.mark.parametrize(("topic", "event"), SAMPLES, ids=IDS)
def test_we_read_the_stock_serializers_bytes(
    serde: EventSerde, topic: str, event: ev.Event
) -> None:
    stock = AvroSerializer(
        serde.registry,
        None,
        lambda obj, ctx: obj.model_dump(),
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    data = stock(event, SerializationContext(topic, MessageField.VALUE))
    assert serde.deserialize(data, topic) == event


def test_bytes_that_are_not_framed_are_permanent_errors(serde: EventSerde) -> None:
    with pytest.raises(NotFramedError, match="first byte 0x7b"):
        serde.deserialize(b'{"json": true}', "order_paid")
    with pytest.raises(NotFramedError, match="empty"):
        serde.deserialize(b"", "order_paid")


def test_unknown_schema_id(serde: EventSerde) -> None:
    with pytest.raises(UnknownSchemaError, match="schema id 9999"):
        serde.deserialize(b"\x00" + struct.pack(">I", 9999) + b"\x02", "order_paid")


def test_undecodable_body(serde: EventSerde) -> None:
    _, event = SAMPLES[1]
    data = serde.serialize(event, "order_paid")
    with pytest.raises(UndecodableError, match="order_paid"):
        serde.deserialize(data[:12], "order_paid")


def test_unregistered_subject_fails_at_start_naming_it() -> None:
    from confluent_kafka.schema_registry import SchemaRegistryClient

    empty = EventSerde(SchemaRegistryClient.new_client({"url": "mock://empty"}))
    with pytest.raises(
        SubjectNotRegisteredError, match="shop.common.EventMetadata|order_paid-value"
    ):
        empty.prepare_writer(ev.OrderPaid, "order_paid")


def test_older_writer_schema_resolves_into_current_class(serde: EventSerde) -> None:
    """An event written before `note` existed decodes, with the default, into today's class."""
    old = json.loads(ev.OrderCreated.AVRO_SCHEMA)
    old["fields"] = [f for f in old["fields"] if f["name"] != "note"]
    ref = SchemaReference("shop.common.EventMetadata", "shop.common.EventMetadata", 1)
    old_id = serde.registry.register_schema("legacy-value", Schema(json.dumps(old), "AVRO", [ref]))
    _, event = SAMPLES[0]
    body = io.BytesIO()
    parsed = parse_with_shared(json.dumps(old), ev.SHARED_SCHEMAS)
    fastavro.schemaless_writer(body, parsed, event.model_dump(exclude={"note"}))
    data = b"\x00" + struct.pack(">I", old_id) + body.getvalue()
    back = serde.deserialize(data, "order_created")
    assert isinstance(back, ev.OrderCreated) and isinstance(event, ev.OrderCreated)
    assert back.note is None and back.order_id == event.order_id and back.items == event.items


@pytest.mark.parametrize(("topic", "event"), SAMPLES, ids=IDS)
def test_decode_record_reads_any_topic_with_its_writer_schema(
    serde: EventSerde, topic: str, event: ev.Event
) -> None:
    schema_id, record = serde.decode_record(serde.serialize(event, topic), topic)
    assert schema_id == struct.unpack(">I", serde.serialize(event, topic)[1:5])[0]
    assert type(event).model_validate(record) == event


def test_decode_record_fails_with_the_same_error_classes(serde: EventSerde) -> None:
    with pytest.raises(NotFramedError):
        serde.decode_record(b"plain", "anything")
    with pytest.raises(UnknownSchemaError):
        serde.decode_record(b"\x00\x00\x00\x03\xe7", "anything")
    good = serde.serialize(SAMPLES[0][1], SAMPLES[0][0])
    with pytest.raises(UndecodableError):
        serde.decode_record(good[:8], "anything")
