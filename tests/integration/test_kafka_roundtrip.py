"""Every contract through the real broker and the real registry, and both directions of interop."""

from __future__ import annotations

import time
import uuid

import pydantic
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from services.runtime.serde import EventSerde
from tests.samples import sample_events


def consume_matching(bootstrap: str, wanted: dict[str, bytes], read, timeout: float = 30.0) -> dict:
    """topic -> the first decoded event, from the beginning, whose event id is the wanted one.

    The broker is shared with other tests, so other messages may sit on the same topics.
    """
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000,
        }
    )
    consumer.subscribe(sorted(wanted))
    found: dict[str, pydantic.BaseModel] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(found) < len(wanted) and time.monotonic() < deadline:
            for msg in consumer.consume(100, 0.5):
                if msg.error() or msg.key() != wanted[msg.topic()]:
                    continue
                event = read(msg.value(), msg.topic())
                found.setdefault(msg.topic(), event)
    finally:
        consumer.close()
    return found


def test_every_contract_through_kafka(
    kafka_bootstrap: str, contracts_registry_url: str, topics: list[str]
) -> None:
    serde = EventSerde.from_url(contracts_registry_url)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True})
    samples = dict(sample_events())
    run_key = f"roundtrip-{uuid.uuid4()}".encode()  # this run's messages, among others
    for topic, event in samples.items():
        producer.produce(topic, serde.serialize(event, topic), key=run_key)
    assert producer.flush(10) == 0
    reader = EventSerde.from_url(contracts_registry_url)  # a fresh process: ids from the registry
    decoded = consume_matching(kafka_bootstrap, dict.fromkeys(samples, run_key), reader.deserialize)
    assert decoded == samples


def test_interop_with_stock_confluent_serde(contracts_registry_url: str) -> None:
    client = SchemaRegistryClient({"url": contracts_registry_url})
    ours = EventSerde.from_url(contracts_registry_url)
    stock_reader = AvroDeserializer(client)
    stock_writer = AvroSerializer(
        client,
        None,
        lambda obj, ctx: obj.model_dump(),
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    for topic, event in sample_events():
        ctx = SerializationContext(topic, MessageField.VALUE)
        record = stock_reader(ours.serialize(event, topic), ctx)
        assert type(event).model_validate(record) == event
        back: pydantic.BaseModel = ours.deserialize(stock_writer(event, ctx), topic)
        assert back == event
