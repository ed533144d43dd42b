"""On the real broker: a partition stuck on a transient failure does not hold up the group's other
partitions, nothing is committed past the stuck message, and it resumes in order once healed."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from services.runtime.consumer import ConsumerLoop
from services.runtime.outbox import OutboxRelay
from services.runtime.processor import RetryPolicy
from tests.runtime_fakes import FlakyHandler, make_processor


def poll_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not reached within {timeout}s: {what}")


def test_stuck_partition_does_not_delay_the_others(kafka_bootstrap: str, tmp_path: Path) -> None:
    topic, group = f"retry-{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    admin.create_topics([NewTopic(topic, 3, 1)])[topic].result(10)
    handler = FlakyHandler()
    handler.transient.add("p0-stuck")
    processor, sink = make_processor(
        tmp_path, [topic], handler, RetryPolicy(1000, 0.05, 0.2), group
    )
    consumer = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 1000,
        }
    )
    stop = threading.Event()
    loop = ConsumerLoop(consumer, processor, OutboxRelay(processor.db, sink), stop)
    loop.start()
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    try:
        values = {0: ["p0-a", "p0-stuck", "p0-behind"], 1: [], 2: []}
        for p in (1, 2):
            values[p] = [f"p{p}-{i}" for i in range(20)]
        for p, vals in values.items():
            for v in vals:
                producer.produce(topic, v.encode(), key=v.encode(), partition=p)
        assert producer.flush(10) == 0
        others = set(values[1] + values[2])
        poll_until(lambda: others <= set(handler.handled), 60, "partitions 1 and 2 handled")
        poll_until(
            lambda: processor.stats.retrying.get(f"{topic}[0]@1", 0) >= 3, 30, "stuck retrying"
        )
        assert "p0-behind" not in handler.handled and "p0-a" in handler.handled
        # later messages on the healthy partitions keep flowing while partition 0 waits
        producer.produce(topic, b"p1-late", key=b"p1-late", partition=1)
        assert producer.flush(10) == 0
        poll_until(lambda: "p1-late" in handler.handled, 30, "late message handled")
        assert "p0-behind" not in handler.handled
        committed = committed_offsets(kafka_bootstrap, group, topic)
        assert committed.get(0, 0) <= 1  # never past the stuck message
        handler.transient.clear()
        poll_until(lambda: "p0-behind" in handler.handled, 30, "partition 0 resumed")
        p0 = [v for v in handler.handled if v.startswith("p0-")]
        assert p0 == ["p0-a", "p0-stuck", "p0-behind"]  # in order, each once
        poll_until(
            lambda: committed_offsets(kafka_bootstrap, group, topic) == {0: 3, 1: 21, 2: 20},
            30,
            "offsets committed to the end",
        )
        assert len(handler.handled) == len(set(handler.handled)) == 44
    finally:
        stop.set()
        loop.join(15)


def committed_offsets(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        tps = reader.committed([TopicPartition(topic, p) for p in range(3)], timeout=10)
        return {tp.partition: tp.offset for tp in tps if tp.offset >= 0}
    finally:
        reader.close()
