"""`python -m services.order.replay [--output PATH]`: rebuild the order projection from the topics.

Reads every order topic from the beginning (partitions assigned at OFFSET_BEGINNING, no consumer
group join, nothing committed), folds the events with the same `rebuild` as the live projection
into a fresh store, prints a summary by status and, when the live database exists, whether the
rebuilt state equals the live one.

End of the log: Tansu reports the high watermark as the base offset of the last record batch + 1,
not the log end, so reaching it is only a lower bound; reading stops once every partition reached
it AND no message arrived for `idle_s` seconds.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

from dbkit import is_postgres_url, open_database
from services.order import store
from services.order.domain import ORDER_TOPICS, OrderEvent, OrderState, as_order_event, rebuild
from services.runtime.consumer import to_incoming
from services.runtime.errors import ProcessingError
from services.runtime.serde import EventSerde
from services.runtime.settings import Settings
from services.runtime.store import open_store

Progress = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def read_order_events(
    settings: Settings,
    *,
    idle_s: float = 3.0,
    timeout_s: float = 120.0,
    progress: Progress = _stderr,
) -> Iterator[OrderEvent]:
    """Every event of every order topic, from the beginning; skips (and reports) bad records."""
    serde = EventSerde.from_url(settings.schema_registry_url)
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap_servers,
            "group.id": f"order-replay-{uuid.uuid4()}",  # never joined nor committed
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        metadata = consumer.list_topics(timeout=10)
        partitions = [
            TopicPartition(topic, p, OFFSET_BEGINNING)
            for topic in ORDER_TOPICS
            if topic in metadata.topics and metadata.topics[topic].error is None
            for p in sorted(metadata.topics[topic].partitions)
        ]
        missing = [t for t in ORDER_TOPICS if t not in {tp.topic for tp in partitions}]
        if missing:
            progress(f"topics not found (nothing to read): {', '.join(missing)}")
        marks = {
            (tp.topic, tp.partition): consumer.get_watermark_offsets(tp, timeout=10)[1]
            for tp in partitions
        }
        position = {key: 0 for key in marks}
        consumer.assign(partitions)
        started = last_message = time.monotonic()
        read = skipped = 0
        while True:
            now = time.monotonic()
            reached = all(position[k] >= high for k, high in marks.items())
            if reached and now - last_message >= idle_s:
                break
            if now - started > timeout_s:
                progress(f"timed out after {timeout_s:.0f}s; partitions short of the watermark")
                break
            for msg in consumer.consume(num_messages=500, timeout=0.5):
                err = msg.error()
                if err is not None:
                    if err.code() != KafkaError._PARTITION_EOF:
                        progress(f"consume error: {err}")
                    continue
                m = to_incoming(msg)
                last_message = time.monotonic()
                position[(m.topic, m.partition)] = m.offset + 1
                try:
                    event = serde.deserialize(m.value, m.topic)
                except ProcessingError as exc:
                    skipped += 1
                    progress(f"skipped {m.topic}[{m.partition}]@{m.offset}: {exc}")
                    continue
                read += 1
                if read % 1000 == 0:
                    progress(f"read {read} events")
                yield as_order_event(event)  # an order topic carries an order event
        progress(f"read {read} events from {len(partitions)} partitions ({skipped} skipped)")
    finally:
        consumer.close()


def write_store(path: Path, events: list[OrderEvent]) -> dict[uuid.UUID, OrderState]:
    """A fresh order store at `path` holding the timelines and the rebuilt projection."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    states = rebuild(events)
    db = open_store(path, "order", store.MIGRATIONS)
    try:
        with db.transaction() as conn:
            for event in events:
                store.record_event(conn, event, event.TOPICS[0])
            for state in states.values():
                store.save_state(conn, state)
    finally:
        db.close()
    return states


def replay_from_kafka(
    settings: Settings,
    *,
    output: Path | None = None,
    idle_s: float = 3.0,
    timeout_s: float = 120.0,
    progress: Progress = _stderr,
) -> dict[uuid.UUID, OrderState]:
    """Rebuild every order's state from the topics (and write it to `output` if given)."""
    events = list(
        read_order_events(settings, idle_s=idle_s, timeout_s=timeout_s, progress=progress)
    )
    if output is not None:
        return write_store(output, events)
    return rebuild(events)


def live_states(target: str | Path) -> dict[uuid.UUID, OrderState]:
    """The live projection (the service may be running): a SQLite file, opened read-only, or the
    order service's schema of a PostgreSQL database."""
    sql = "SELECT order_id, state FROM orders"
    if is_postgres_url(target):
        db = open_database(target, schema="order")
        try:
            rows = [tuple(r) for r in db.query(sql)]
        finally:
            db.close()
    else:
        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            rows = conn.execute(sql).fetchall()
        finally:
            conn.close()
    return {uuid.UUID(oid): OrderState.model_validate_json(state) for oid, state in rows}


def differences(
    rebuilt: dict[uuid.UUID, OrderState], live: dict[uuid.UUID, OrderState]
) -> list[str]:
    """How the rebuilt projection differs from the live one: order ids, statuses, event ids."""
    out = [
        f"{oid}: only in the live store" for oid in sorted(live.keys() - rebuilt.keys(), key=str)
    ]
    out += [f"{oid}: only in the replay" for oid in sorted(rebuilt.keys() - live.keys(), key=str)]
    for oid in sorted(rebuilt.keys() & live.keys(), key=str):
        r, v = rebuilt[oid], live[oid]
        if r.status != v.status:
            out.append(f"{oid}: status {r.status.value} rebuilt, {v.status.value} live")
        if set(r.event_ids) != set(v.event_ids):
            out.append(
                f"{oid}: events differ ({len(r.event_ids)} rebuilt, {len(v.event_ids)} live)"
            )
        elif r.model_dump(exclude={"event_ids"}) != v.model_dump(exclude={"event_ids"}):
            out.append(f"{oid}: same events, different state")
    return out


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    parser = argparse.ArgumentParser(prog="python -m services.order.replay", description=__doc__)
    parser.add_argument(
        "--output",
        type=Path,
        default=settings.data_dir / "order-replay.sqlite3",
        help="the fresh store to write (default: %(default)s)",
    )
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    parser.add_argument("--timeout-seconds", type=float, default=120.0)
    args = parser.parse_args(argv)

    _stderr(f"replaying {', '.join(ORDER_TOPICS)} from {settings.kafka_bootstrap_servers}")
    rebuilt = replay_from_kafka(
        settings, output=args.output, idle_s=args.idle_seconds, timeout_s=args.timeout_seconds
    )
    by_status = Counter(s.status.value for s in rebuilt.values())
    print(f"rebuilt {len(rebuilt)} orders into {args.output}")
    for status, n in sorted(by_status.items()):
        print(f"  {status:<17} {n}")
    live_path = settings.database_target("order")
    if isinstance(live_path, Path) and not live_path.exists():
        print(f"no live store at {live_path}: nothing to compare")
        return 0
    diffs = differences(rebuilt, live_states(live_path))
    if not diffs:
        print(f"rebuilt state equals the live state ({live_path})")
        return 0
    print(f"rebuilt state DIFFERS from the live state ({live_path}): {len(diffs)} difference(s)")
    for line in diffs[:20]:
        print(f"  {line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
