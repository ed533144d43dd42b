"""True end offsets and range reads on the real broker, where Tansu's watermark is not the end."""

from __future__ import annotations

import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from stack.offsets import partition_ends, read_range


def _topic(bootstrap: str, partitions: int = 2) -> str:
    name = f"offsets-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(name, partitions, 1)]).values():
        future.result()
    return name


def test_end_counts_every_record_of_the_last_batch(kafka_bootstrap: str) -> None:
    topic = _topic(kafka_bootstrap)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "linger.ms": 50})
    for i in range(5):  # five batches of one record
        producer.produce(topic, value=f"single-{i}".encode(), partition=0)
        producer.flush()
    for i in range(50):  # then one batch of fifty
        producer.produce(topic, value=f"batched-{i}".encode(), partition=0)
    producer.flush()

    ends = partition_ends(kafka_bootstrap, [topic])

    assert ends[(topic, 0)].end == 55 and ends[(topic, 0)].exact
    assert ends[(topic, 1)].end == 0 and ends[(topic, 1)].exact  # empty
    assert ends[(topic, 0)].records == 55
    consumer = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": "probe"})
    try:  # the broker's own answer, which lag must not be computed from on this broker
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    finally:
        consumer.close()
    assert high <= 55


def test_read_range_returns_exactly_the_offsets_asked_for(kafka_bootstrap: str) -> None:
    topic = _topic(kafka_bootstrap)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "linger.ms": 20})
    for i in range(30):
        producer.produce(topic, value=str(i).encode(), partition=1)
    producer.flush()

    records = read_range(kafka_bootstrap, {(topic, 1): (10, 20), (topic, 0): (0, 0)})

    assert [r.offset for r in records] == list(range(10, 20))
    assert [r.value for r in records] == [str(i).encode() for i in range(10, 20)]
    odd = read_range(kafka_bootstrap, {(topic, 1): (0, 30)}, keep=lambda r: r.offset % 2 == 1)
    assert [r.offset for r in odd] == list(range(1, 30, 2))  # only what `keep` accepts is held


def test_unknown_topics_are_left_out(kafka_bootstrap: str) -> None:
    assert partition_ends(kafka_bootstrap, [f"missing-{uuid.uuid4().hex[:6]}"]) == {}
