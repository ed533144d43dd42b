"""`make dlq`: list, show and redrive dead letter queue entries.

An entry is numbered by its place in the queue (oldest first); `P:O` (DLQ partition:offset) names
it too.  Redrive produces the original key, value and headers back to the original topic and
partition with `dlq.redrive.count` raised by one; an entry already redriven `max_redrives` times is
refused, so a message that keeps failing cannot loop forever.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from confluent_kafka import Producer

from services.runtime.dlq import DLQ_TOPIC, PREFIX, REDRIVE_COUNT
from services.runtime.messages import as_kafka_headers
from services.runtime.serde import EventSerde
from stack.offsets import partition_ends, read_range

MAX_REDRIVES = 3
UNREADABLE_COUNT = 2**31 - 1  # a dlq.redrive.count header that is not a number


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
        """How often this message was redriven; an unreadable count is over any limit."""
        text = self.fact("redrive.count", "0")
        readable = text.isascii() and text.isdigit() and len(text) < 9
        return int(text) if readable else UNREADABLE_COUNT

    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in self.headers if not k.startswith(PREFIX)]


def read_entries(bootstrap: str) -> list[Entry]:
    """Every DLQ entry up to the end of the queue now, oldest first (no consumer group)."""
    ends = partition_ends(bootstrap, [DLQ_TOPIC])
    records = read_range(bootstrap, {key: (e.low, e.end) for key, e in ends.items()})
    records.sort(key=lambda m: (m.timestamp_ms, m.partition, m.offset))
    return [
        Entry(i, m.partition, m.offset, m.timestamp_ms, m.key, m.value, m.headers)
        for i, m in enumerate(records, 1)
    ]


def dlq_reasons(bootstrap: str) -> Counter[str]:
    """Dead letter entries by (original topic, error class)."""
    return Counter(f"{e.fact('original.topic')}: {e.error_class}" for e in read_entries(bootstrap))


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
            raw = preview_bytes(entry.value)
            return f"(not decodable: {type(exc).__name__}: {exc})\nraw: {raw}"
    return f"raw: {preview_bytes(entry.value)}"


def preview_bytes(value: bytes | None, limit: int = 48) -> str:
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


@dataclass(frozen=True)
class Redriven:
    entry: Entry
    topic: str
    partition: int
    offset: int  # where the copy landed (-1 if the broker did not say)
    count: int  # its dlq.redrive.count


@dataclass(frozen=True)
class Refused:
    entry: Entry
    reason: str


def redrive(
    bootstrap: str, entries: list[Entry], max_redrives: int = MAX_REDRIVES
) -> tuple[list[Redriven], list[Refused]]:
    """Produce each entry back to where it came from; return (redriven, refused)."""
    refused: list[Refused] = []
    wanted: list[tuple[Entry, str, int]] = []
    for entry in entries:
        origin = entry.fact("original.partition")
        if entry.redrive_count >= max_redrives:
            refused.append(Refused(entry, _over_limit(entry, max_redrives)))
        elif not (origin.isascii() and origin.isdigit()):
            refused.append(Refused(entry, f"no original partition in its headers ({origin!r})"))
        else:
            wanted.append((entry, entry.fact("original.topic"), int(origin)))
    offsets: dict[int, int] = {}
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for i, (entry, topic, partition) in enumerate(wanted):

        def delivered(err: object, msg: object, i: int = i) -> None:
            if err is None:
                offsets[i] = msg.offset()  # type: ignore[attr-defined]

        producer.produce(
            topic,
            value=entry.value,
            key=entry.key,
            partition=partition,
            headers=as_kafka_headers(redrive_headers(entry)),
            on_delivery=delivered,
        )
    left = producer.flush(30)
    if left:
        raise RuntimeError(f"{left} redriven message(s) not acknowledged by the broker")
    sent = [
        Redriven(entry, topic, partition, offsets.get(i, -1), entry.redrive_count + 1)
        for i, (entry, topic, partition) in enumerate(wanted)
    ]
    return sent, refused


def _over_limit(entry: Entry, max_redrives: int) -> str:
    if entry.redrive_count == UNREADABLE_COUNT:
        return f"its redrive count is unreadable ({entry.fact('redrive.count')!r})"
    return f"already redriven {entry.redrive_count} times (max {max_redrives})"
