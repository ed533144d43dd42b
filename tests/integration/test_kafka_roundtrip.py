"""Every contract through the real broker and the real registry, and both directions of interop."""

from __future__ import annotations

import time
import uuid

import pydantic
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from services.runtime.serde import EventSerde, event_key
from tests.samples import sample_events


def consume_all(bootstrap: str, topics: list[str], expected: int, timeout: float = 30.0) -> list:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000,
        }
    )
    consumer.subscribe(topics)
    got = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < expected and time.monotonic() < deadline:
            got += [m for m in consumer.consume(100, 0.5) if not m.error()]
    finally:
        consumer.close()
    return got


def test_every_contract_through_kafka(
    kafka_bootstrap: str, contracts_registry_url: str, topics: list[str]
) -> None:
    serde = EventSerde.from_url(contracts_registry_url)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True})
    samples = sample_events()
    for topic, event in samples:
        producer.produce(topic, serde.serialize(event, topic), key=event_key(event))
    assert producer.flush(10) == 0
    messages = consume_all(kafka_bootstrap, [t for t, _ in samples], len(samples))
    reader = EventSerde.from_url(
        contracts_registry_url
    )  # a fresh process's view: ids from the registry
    decoded = {m.topic(): reader.deserialize(m.value(), m.topic()) for m in messages}
    assert decoded == dict(samples)
    assert {m.key() for m in messages} == {event_key(samples[0][1])}


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
