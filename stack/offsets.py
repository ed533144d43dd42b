"""Reading topics as they are, on any Kafka broker: true log end offsets and ranges of records.

Tansu reports a high watermark that is the base offset of the last record batch + 1, not the log
end (see ARCHITECTURE.md), so lag computed from it is understated.  We read instead: from one
before the reported watermark to the end, the last offset seen + 1 is the true end.  A partition
whose last record cannot be read back in time keeps the reported watermark, marked as a lower
bound (`exact=False`): the watermark is never more than the end on either broker.

`make status`, `make dlq` and the console all read through here, without joining a group.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from confluent_kafka import Consumer, TopicPartition

from services.runtime.consumer import to_incoming
from services.runtime.messages import Incoming

Partition = tuple[str, int]  # (topic, partition)


@dataclass(frozen=True)
class PartitionEnd:
    low: int  # first offset still in the log
    end: int  # offset the next record will get
    exact: bool  # False: `end` is a lower bound (the last batch could not be read back)

    @property
    def records(self) -> int:
        return self.end - self.low


def reader(bootstrap: str) -> Consumer:
    """A consumer for reading by assignment: never joins a group, never commits."""
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "stack-reader",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 20,  # reading up to the end must not wait for new records
        }
    )


def topic_partitions(consumer: Consumer, topics: list[str]) -> list[Partition]:
    """Every partition of the topics that exist (unknown topics are left out)."""
    metadata = consumer.list_topics(timeout=10)
    return [
        (topic, p)
        for topic in topics
        if topic in metadata.topics
        for p in sorted(metadata.topics[topic].partitions)
    ]


def partition_ends(
    bootstrap: str, topics: list[str], timeout_s: float = 5.0
) -> dict[Partition, PartitionEnd]:
    """The true end of every partition of `topics`, read back from the last reported batch."""
    consumer = reader(bootstrap)
    try:
        reported: dict[Partition, tuple[int, int]] = {}
        for topic, p in topic_partitions(consumer, topics):
            tp = TopicPartition(topic, p)
            reported[(topic, p)] = consumer.get_watermark_offsets(tp, timeout=10)
        waiting = {key: high - 1 for key, (low, high) in reported.items() if high > low}
        seen = _read_until(consumer, {k: (o, o + 1) for k, o in waiting.items()}, timeout_s)
        ends: dict[Partition, PartitionEnd] = {}
        for key, (low, high) in reported.items():
            last = max((r.offset for r in seen.get(key, [])), default=None)
            if key not in waiting:
                ends[key] = PartitionEnd(low, high, exact=True)
            elif last is None:
                ends[key] = PartitionEnd(low, high, exact=False)
            else:
                ends[key] = PartitionEnd(low, max(high, last + 1), exact=True)
        return ends
    finally:
        consumer.close()


def log_end_offsets(bootstrap: str, topics: list[str]) -> dict[Partition, int]:
    """True end offset of every partition (a lower bound where it could not be read back)."""
    return {key: end.end for key, end in partition_ends(bootstrap, topics).items()}


def read_range(
    bootstrap: str,
    ranges: dict[Partition, tuple[int, int]],
    timeout_s: float = 10.0,
    keep: Callable[[Incoming], bool] | None = None,
) -> list[Incoming]:
    """The records at offsets [start, stop) of each partition, in offset order per partition;
    with `keep`, only those it accepts are held (a search holds only what it finds).

    Stops early when a partition runs dry (offsets may be missing: compaction, control records).
    """
    consumer = reader(bootstrap)
    try:
        found = _read_until(consumer, ranges, timeout_s, keep=keep)
    finally:
        consumer.close()
    return [r for key, records in found.items() for r in records if r.offset < ranges[key][1]]


def _read_until(
    consumer: Consumer,
    ranges: dict[Partition, tuple[int, int]],
    timeout_s: float,
    idle_s: float = 1.0,
    keep: Callable[[Incoming], bool] | None = None,
) -> dict[Partition, list[Incoming]]:
    """Read each partition from `start` until a record at `stop - 1` or later arrived (the rest of
    its batch is drained too); give up on a partition that sends nothing for `idle_s`."""
    pending = {key: stop for key, (start, stop) in ranges.items() if stop > start}
    found: dict[Partition, list[Incoming]] = {key: [] for key in pending}
    if not pending:
        return found
    consumer.assign([TopicPartition(t, p, ranges[(t, p)][0]) for t, p in pending])
    deadline = time.monotonic() + timeout_s
    last_progress = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - last_progress < idle_s:
        batch = consumer.consume(500, 0.05 if pending else 0.02)
        if not batch and not pending:
            break  # every partition reached its stop, and what came with it is drained
        for msg in batch:
            if msg.error():
                continue
            record = to_incoming(msg)
            key = (record.topic, record.partition)
            start, stop = ranges[key]
            if start <= record.offset and (keep is None or keep(record)):
                found[key].append(record)
            if record.offset >= stop - 1 and key in pending:
                del pending[key]
                consumer.pause([TopicPartition(*key)])  # what is already fetched still arrives
            last_progress = time.monotonic()
    return found
