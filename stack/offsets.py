"""True log end offsets, and the dead letter queue's contents, on any Kafka broker.

Tansu reports a high watermark that is the base offset of the last record batch + 1, not the log
end (see ARCHITECTURE.md), so lag computed from it is understated.  We read instead: from one
before the reported watermark to the end, the last offset seen + 1 is the true end.
"""

from __future__ import annotations

import time
from collections import Counter

from confluent_kafka import Consumer, TopicPartition

from services.runtime.consumer import to_incoming
from stack.dlq_tool import read_entries


def _reader(bootstrap: str) -> Consumer:
    return Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "stack-status", "enable.auto.commit": False}
    )


def log_end_offsets(
    bootstrap: str, topics: list[str], idle_s: float = 1.0
) -> dict[tuple[str, int], int]:
    consumer = _reader(bootstrap)
    try:
        metadata = consumer.list_topics(timeout=10)
        ends: dict[tuple[str, int], int] = {}
        assignment = []
        for topic in topics:
            for p in metadata.topics[topic].partitions if topic in metadata.topics else []:
                low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                ends[(topic, p)] = high
                if high > low:
                    assignment.append(TopicPartition(topic, p, max(low, high - 1)))
        if assignment:
            consumer.assign(assignment)
            quiet_since = time.monotonic()
            while time.monotonic() - quiet_since < idle_s:
                for msg in consumer.consume(500, 0.2):
                    if not msg.error():
                        record = to_incoming(msg)
                        key = (record.topic, record.partition)
                        ends[key] = max(ends[key], record.offset + 1)
                        quiet_since = time.monotonic()
        return ends
    finally:
        consumer.close()


def dlq_reasons(bootstrap: str, idle_s: float = 1.0) -> Counter[str]:
    """Dead letter entries by (original topic, error class), read from the beginning."""
    entries = read_entries(bootstrap, idle_s)
    return Counter(f"{e.fact('original.topic')}: {e.error_class}" for e in entries)
