"""`make dlq` against the real broker and registry: list, show (decoded), redrive with a counter
that refuses loops."""

from __future__ import annotations

import datetime
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from services.events import OrderPaid
from services.runtime.dlq import PREFIX, REDRIVE_COUNT, Failure, send_to_dlq
from services.runtime.messages import Incoming
from services.runtime.serde import EventSerde
from services.runtime.sinks import KafkaSink
from stack import dlq_tool
from stack.__main__ import main
from tests.samples import sample_events

T = datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC)


def read_partition(bootstrap: str, topic: str, partition: int) -> list:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "t", "enable.auto.commit": 0})
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        consumer.assign([TopicPartition(topic, partition, low)])
        got: list = []
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 1.0:
            batch = [m for m in consumer.consume(500, 0.2) if not m.error()]
            if batch:
                got += batch
                quiet_since = time.monotonic()
        return got
    finally:
        consumer.close()


def test_list_show_redrive_and_refuse(
    kafka_bootstrap: str,
    contracts_registry_url: str,
    topics: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry_url = contracts_registry_url
    serde = EventSerde.from_url(registry_url)
    event = dict(sample_events())["order_paid"]
    assert isinstance(event, OrderPaid)
    good_key = f"k-{uuid.uuid4()}".encode()
    loop_key = f"k-{uuid.uuid4()}".encode()
    sink = KafkaSink(Producer({"bootstrap.servers": kafka_bootstrap}))
    good = Incoming(
        "order_paid", 2, 41, good_key, serde.serialize(event, "order_paid"), 5, [("trace", b"t1")]
    )
    looping = Incoming("order_paid", 1, 7, loop_key, b"\x07junk", 6, [(REDRIVE_COUNT, b"3")])
    send_to_dlq(sink, good, "inventory", "inventory", Failure("business_rule", "no", 1, T, T))
    send_to_dlq(
        sink, looping, "inventory", "inventory", Failure("not_confluent_framed", "x", 1, T, T)
    )

    entries = {e.key: e for e in dlq_tool.read_entries(kafka_bootstrap)}
    mine, stuck = entries[good_key], entries[loop_key]
    assert (mine.error_class, mine.redrive_count) == ("business_rule", 0)
    assert (stuck.error_class, stuck.redrive_count) == ("not_confluent_framed", 3)
    assert '"order_id"' in dlq_tool.decode(mine, serde)  # decoded through the registry
    assert "NotFramedError" in dlq_tool.decode(stuck, serde)

    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("SCHEMA_REGISTRY_URL", registry_url)
    assert main(["dlq", "list"]) == 0
    listed = capsys.readouterr().out
    assert "order_paid[2]@41" in listed and "not_confluent_framed" in listed
    assert main(["dlq", "show", mine.ref]) == 0
    shown = capsys.readouterr().out
    assert "dlq.consumer.group: inventory" in shown and str(event.order_id) in shown

    assert main(["dlq", "redrive", str(mine.number), str(stuck.number)]) == 1  # one refused
    out = capsys.readouterr().out
    assert f"redrove {mine.number} to order_paid[2]@" in out and "(redrive 1)" in out
    assert f"refused {stuck.number}" in out

    back = [m for m in read_partition(kafka_bootstrap, "order_paid", 2) if m.key() == good_key]
    assert len(back) == 1
    assert back[0].value() == good.value  # bytes untouched
    headers = list(back[0].headers() or [])
    assert ("trace", b"t1") in headers and (REDRIVE_COUNT, b"1") in headers
    assert not [k for k, _ in headers if k.startswith(PREFIX) and k != REDRIVE_COUNT]
    assert not [m for m in read_partition(kafka_bootstrap, "order_paid", 1) if m.key() == loop_key]
