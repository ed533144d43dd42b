"""`make dlq`: list, show and redrive dead letter queue entries.

An entry is numbered by its place in the queue (oldest first); `P:O` (DLQ partition:offset) names
it too.  Redrive produces the original key, value and headers back to the original topic and
partition with `dlq.redrive.count` raised by one; an entry already redriven `max_redrives` times is
refused, so a message that keeps failing cannot loop forever.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from services.runtime.consumer import to_incoming
from services.runtime.dlq import DLQ_TOPIC, PREFIX, REDRIVE_COUNT
from services.runtime.messages import as_kafka_headers
from services.runtime.serde import EventSerde

MAX_REDRIVES = 3


@dataclass(frozen=True)
class Entry:
    number: int
    partition: int  # in the DLQ
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]

    def fact(self, name: str, default: str = "?") -> str:
        for k, v in self.headers:
            if k == PREFIX + name:
                return v.decode(errors="replace")
        return default

    @property
    def ref(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def error_class(self) -> str:
        return self.fact("error.class")

    @property
    def redrive_count(self) -> int:
        return int(self.fact("redrive.count", "0"))

    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in self.headers if not k.startswith(PREFIX)]


def read_entries(bootstrap: str, idle_s: float = 1.0) -> list[Entry]:
    """Every DLQ entry, oldest first, read from the beginning without joining a group."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "stack-dlq", "enable.auto.commit": False}
    )
    raw = []
    try:
        metadata = consumer.list_topics(DLQ_TOPIC, timeout=10)
        partitions = metadata.topics[DLQ_TOPIC].partitions if DLQ_TOPIC in metadata.topics else {}
        consumer.assign([TopicPartition(DLQ_TOPIC, p, OFFSET_BEGINNING) for p in partitions])
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < idle_s:
            for msg in consumer.consume(500, 0.2):
                if not msg.error():
                    raw.append(msg)
                    quiet_since = time.monotonic()
    finally:
        consumer.close()
    records = sorted(map(to_incoming, raw), key=lambda m: (m.timestamp_ms, m.partition, m.offset))
    return [
        Entry(i, m.partition, m.offset, m.timestamp_ms, m.key, m.value, m.headers)
        for i, m in enumerate(records, 1)
    ]


def select(entries: list[Entry], refs: Iterable[str], reason: str | None = None) -> list[Entry]:
    """Entries named by number or `P:O` (all when no refs), optionally of one error class."""
    wanted = set(refs)
    chosen = [e for e in entries if not wanted or str(e.number) in wanted or e.ref in wanted]
    missing = wanted - {str(e.number) for e in chosen} - {e.ref for e in chosen}
    if missing:
        raise KeyError(f"no DLQ entry {', '.join(sorted(missing))} (see `make dlq`)")
    if reason:
        chosen = [e for e in chosen if e.error_class == reason or e.error_class.endswith(reason)]
    return chosen


def decode(entry: Entry, serde: EventSerde | None) -> str:
    """The value as JSON through the registry, or why it cannot be decoded plus its first bytes."""
    topic = entry.fact("original.topic")
    if serde is not None and entry.value is not None:
        try:
            event = serde.deserialize(entry.value, topic)
            return json.dumps(event.model_dump(mode="json"), indent=2)
        except Exception as exc:  # the reason it is here, most likely
            return f"(not decodable: {type(exc).__name__}: {exc})\nraw: {_preview(entry.value)}"
    return f"raw: {_preview(entry.value)}"


def _preview(value: bytes | None, limit: int = 48) -> str:
    if value is None:
        return "(null)"
    more = f" ... ({len(value)} bytes)" if len(value) > limit else ""
    return value[:limit].hex(" ") + more


def format_list(entries: list[Entry]) -> str:
    if not entries:
        return "dead letter queue is empty"
    rows = [f"{'#':>4}  {'dlq':<8} {'origin':<34} {'error class':<38} att  rd  message"]
    for e in entries:
        origin = (
            f"{e.fact('original.topic')}[{e.fact('original.partition')}]"
            f"@{e.fact('original.offset')}"
        )
        message = e.fact("error.message").replace("\n", " ")[:70]
        rows.append(
            f"{e.number:>4}  {e.ref:<8} {origin:<34} {e.error_class:<38} "
            f"{e.fact('attempts'):>3} {e.redrive_count:>3}  {message}"
        )
    return "\n".join(rows)


def format_entry(entry: Entry, serde: EventSerde | None) -> str:
    lines = [f"entry {entry.number} (dead_letter_queue {entry.ref})"]
    lines += [f"  {k}: {v.decode(errors='replace')}" for k, v in entry.headers]
    lines.append(f"  key: {entry.key.decode(errors='replace') if entry.key else '(null)'}")
    lines.append("  value:")
    lines += ["    " + line for line in decode(entry, serde).splitlines()]
    return "\n".join(lines)


def redrive_headers(entry: Entry) -> list[tuple[str, bytes]]:
    return [*entry.original_headers(), (REDRIVE_COUNT, str(entry.redrive_count + 1).encode())]


def redrive(
    bootstrap: str, entries: list[Entry], max_redrives: int = MAX_REDRIVES
) -> tuple[list[Entry], list[Entry]]:
    """Produce each entry back to where it came from; return (redriven, refused)."""
    sent, refused = [], []
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for entry in entries:
        if entry.redrive_count >= max_redrives:
            refused.append(entry)
            continue
        producer.produce(
            entry.fact("original.topic"),
            value=entry.value,
            key=entry.key,
            partition=int(entry.fact("original.partition")),
            headers=as_kafka_headers(redrive_headers(entry)),
        )
        sent.append(entry)
    left = producer.flush(30)
    if left:
        raise RuntimeError(f"{left} redriven message(s) not acknowledged by the broker")
    return sent, refused
