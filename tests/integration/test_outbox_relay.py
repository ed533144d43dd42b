"""The outbox relay on both engines, with several relays sharing one database as instances do:
every row published, each key's rows first sent in the order they were written, no transaction
held while the broker is slow, and a dead relay's lease taken over once it expires."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from services.runtime.errors import TransientError
from services.runtime.outbox import OutboxRelay
from services.runtime.store import Database, open_store

pytestmark = pytest.mark.integration


class RecordingSink:
    """A broker shared by every relay: what a relay sends lands in `sent` (the log) when its flush
    returns, after a random delay up to `slow_s`, so concurrent relays' batches can overtake each
    other as on a real broker.  A flush may also be held until released, or fail."""

    def __init__(self, slow_s: float = 0.0) -> None:
        self.sent: list[tuple[bytes | None, str]] = []
        self.lock = threading.Lock()
        self.in_flight = threading.local()
        self.slow_s = slow_s
        self.hold: threading.Event | None = None
        self.holding = threading.Event()
        self.fail = False

    def send(
        self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        batch = self.in_flight.__dict__.setdefault("batch", [])
        batch.append((key, dict(headers)["event_id"].decode()))

    def flush(self) -> None:
        batch = self.in_flight.__dict__.pop("batch", [])
        if self.hold is not None:
            self.holding.set()
            assert self.hold.wait(30), "never released"
        if self.slow_s:
            time.sleep(random.uniform(0, self.slow_s))
        if self.fail:
            raise TransientError("broker away")
        with self.lock:
            self.sent.extend(batch)


def write(db: Database, key: bytes | None, event_id: str) -> None:
    with db.transaction(lock=f"key:{key!r}") as conn:
        conn.execute(
            "INSERT INTO outbox (topic, key, value, event_id) VALUES (?, ?, ?, ?)",
            ("t", key, b"v", event_id),
        )


def pending(db: Database) -> int:
    return int(db.query("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")[0][0])


def first_sends_per_key(sent: list[tuple[bytes | None, str]]) -> dict[bytes | None, list[str]]:
    order: dict[bytes | None, list[str]] = {}
    seen: set[str] = set()
    for key, event_id in sent:
        if event_id not in seen:
            seen.add(event_id)
            order.setdefault(key, []).append(event_id)
    return order


def test_three_relays_publish_every_row_in_key_order(db_target: str | Path) -> None:
    instances = [open_store(db_target, "svc") for _ in range(3)]  # three processes' worth
    sink = RecordingSink(slow_s=0.01)
    keys: list[bytes | None] = [f"order-{k}".encode() for k in range(12)] + [None]
    written: dict[bytes | None, list[str]] = {k: [] for k in keys}
    done = threading.Event()

    def writer() -> None:
        for i in range(25):
            for key in random.sample(keys, len(keys)):
                event_id = f"{key!r}-{i}"
                write(instances[0], key, event_id)
                written[key].append(event_id)
        done.set()

    def relaying(relay: OutboxRelay) -> None:
        while not done.is_set():
            relay.relay()
        relay.relay()

    relays = [OutboxRelay(db, sink, batch=7) for db in instances]
    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=relaying, args=(r,)) for r in relays
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for relay in relays:  # anything a relay skipped because another held its key
            relay.relay()
        assert pending(instances[0]) == 0
        assert first_sends_per_key(sink.sent) == written
        assert len(sink.sent) == sum(len(v) for v in written.values())  # no lease expired: no copy
        assert sum(r.published for r in relays) == len(sink.sent)
    finally:
        for db in instances:
            db.close()


def test_no_transaction_is_held_while_the_broker_is_slow(db_target: str | Path) -> None:
    db = open_store(db_target, "svc")
    sink = RecordingSink()
    sink.hold = threading.Event()
    write(db, b"k", "e1")
    relay = OutboxRelay(db, sink)
    thread = threading.Thread(target=relay.relay)
    thread.start()
    try:
        assert sink.holding.wait(10), "relay never flushed"
        started = time.monotonic()
        write(db, b"k", "e2")  # a handler's transaction: not blocked by the waiting relay
        assert time.monotonic() - started < 5
        assert pending(db) == 2
    finally:
        sink.hold.set()
        thread.join(30)
    relay.relay()
    assert [e for _, e in sink.sent] == ["e1", "e2"]
    db.close()


def test_a_dead_relays_lease_expires_and_another_resends_its_key_from_the_head(
    db_target: str | Path,
) -> None:
    first, second = open_store(db_target, "svc"), open_store(db_target, "svc")
    for i in range(3):
        write(first, b"a", f"a{i}")
    write(first, b"b", "b0")
    dead = OutboxRelay(first, RecordingSink(), lease_s=1.0)
    claimed = dead._claim()  # then the process is killed: nothing sent, nothing released
    assert [r["event_id"] for r in claimed] == ["a0", "a1", "a2", "b0"]
    write(first, b"a", "a3")  # written after the claim, behind the leased head
    sink = RecordingSink()
    alive = OutboxRelay(second, sink)
    assert alive.relay() == 0  # both keys are leased: the live relay keeps out of them
    time.sleep(1.2)
    assert alive.relay() == 5
    assert first_sends_per_key(sink.sent) == {b"a": ["a0", "a1", "a2", "a3"], b"b": ["b0"]}
    assert pending(second) == 0
    first.close()
    second.close()


def test_a_failed_send_gives_the_lease_back_at_once(db_target: str | Path) -> None:
    db = open_store(db_target, "svc")
    write(db, b"k", "e1")
    failing = RecordingSink()
    failing.fail = True
    with pytest.raises(TransientError):
        OutboxRelay(db, failing, lease_s=600).relay()
    leased = db.query("SELECT leased_by, published_at FROM outbox")
    assert [tuple(r) for r in leased] == [(None, None)]
    sink = RecordingSink()
    assert OutboxRelay(db, sink).relay() == 1  # another relay need not wait 600 s
    assert [e for _, e in sink.sent] == ["e1"]
    db.close()
