"""Publish committed outbox rows, in order per key, then mark them published.

Safe with any number of relays (threads, processes, instances on other hosts) sharing one
database, and holding no lock and no transaction while it waits for the broker:

1. claim, in one short transaction: the oldest pending row of each key is the key's *head*; heads
   whose lease is free or expired are locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write
   lock on SQLite) and leased to this relay with the pending rows after them (`batch` at most);
2. send them and wait for the broker's acknowledgement, no transaction open;
3. mark them published, in another short transaction.

Sent with the headers `event_id` and the row's own (`headers`, JSON: the event type and what the
publisher named for consumers to filter on before decoding).  Leases and published marks are
bookkeeping that is safe to lose, so their transactions do not wait for the disk (`durable=False`):
a machine crash that loses one makes the row go out again, and consumers drop the copy.

A key whose head another relay holds is skipped until that relay has published it, so one key's
rows leave in id order, which is the order their transactions committed in (the processor
serializes transactions per key).  A relay that dies leaves its lease to expire (`lease_s`); the
next relay re-sends the key from its head and consumers drop the copies by event id
(at-least-once, deduplicated).  A send that fails gives the lease back at once.

Writers that are not consumers (an HTTP API) call `request()`: with a background relay running
it wakes it up and returns at once, so concurrent requests share one send and flush.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from services.runtime.logging import get_logger
from services.runtime.sinks import Sink
from services.runtime.store import Connection, Database

EVENT_ID_HEADER = "event_id"  # on every message the relay sends: which outbox row it came from


def _marks(n: int) -> str:
    return ",".join("?" * n)


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        sink: Sink,
        batch: int = 500,
        lease_s: float = 30.0,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.sink = sink
        self.batch = batch
        self.lease_s = lease_s
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._background: threading.Thread | None = None
        self.published = 0

    def request(self) -> None:
        """Publish soon: wake the background relay, or relay now when there is none."""
        if self._background is not None and self._background.is_alive():
            self._wanted.set()
        else:
            self.relay()

    def run_in_background(self, stop: threading.Event, idle_s: float = 1.0) -> None:
        """Relay whenever requested (and every `idle_s` anyway) until `stop` is set."""

        def loop() -> None:
            while not stop.is_set():
                self._wanted.wait(idle_s)
                self._wanted.clear()
                try:
                    self.relay()
                except Exception as exc:  # broker or database away: rows stay pending
                    get_logger().warning("outbox relay failed; will retry", error=str(exc)[:300])

        self._background = threading.Thread(target=loop, name="outbox-relay", daemon=True)
        self._background.start()

    def relay(self) -> int:
        """Send every pending row this relay can claim; return how many were published."""
        total = 0
        with self._lock:
            while rows := self._claim():
                try:
                    for row in rows:
                        self.sink.send(row["topic"], row["key"], row["value"], _headers(row))
                    self.sink.flush()
                except BaseException:
                    self._give_back(rows)
                    raise
                self._mark_published(rows)
                total += len(rows)
                if len(rows) < self.batch:
                    break  # all there was to claim: rows committed since go with the next call
            self.published += total
        return total

    def _claim(self) -> list[Any]:
        now = self.db.dialect.now_epoch
        with self.db.transaction(durable=False) as conn:
            heads = [
                r[0]
                for r in conn.execute(
                    "SELECT MIN(id) AS head FROM outbox WHERE published_at IS NULL"
                    " GROUP BY key ORDER BY head LIMIT ?",
                    (self.batch,),
                ).fetchall()
            ]
            if not heads:
                return []
            free = conn.execute(
                f"SELECT id, key FROM outbox WHERE id IN ({_marks(len(heads))})"
                f" AND published_at IS NULL AND (lease_until IS NULL OR lease_until < {now})"
                + self.db.dialect.skip_locked,
                heads,
            ).fetchall()
            if not free:
                return []
            rows = _pending_of_keys(conn, [r["key"] for r in free], self.batch)
            conn.execute(
                f"UPDATE outbox SET leased_by = ?, lease_until = {now} + ?"
                f" WHERE id IN ({_marks(len(rows))})",
                [self.owner, self.lease_s, *(r["id"] for r in rows)],
            )
        return rows

    def _mark_published(self, rows: Sequence[Any]) -> None:
        at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        with self.db.transaction(durable=False) as conn:
            conn.execute(
                "UPDATE outbox SET published_at = ?, leased_by = NULL, lease_until = NULL"
                f" WHERE id IN ({_marks(len(rows))}) AND published_at IS NULL",
                [at, *(r["id"] for r in rows)],
            )

    def _give_back(self, rows: Sequence[Any]) -> None:
        """After a failed send: free the lease now rather than when it expires (best effort)."""
        try:
            with self.db.transaction(durable=False) as conn:
                conn.execute(
                    "UPDATE outbox SET leased_by = NULL, lease_until = NULL"
                    f" WHERE id IN ({_marks(len(rows))}) AND leased_by = ?",
                    [*(r["id"] for r in rows), self.owner],
                )
        except Exception as exc:  # the lease expires by itself
            get_logger().warning("could not give back outbox lease", error=str(exc)[:300])


def _headers(row: Any) -> list[tuple[str, bytes]]:
    """`event_id`, then the row's own headers (JSON {name: value}; NULL in older rows)."""
    headers = [(EVENT_ID_HEADER, row["event_id"].encode())]
    if row["headers"]:
        headers += [(name, value.encode()) for name, value in json.loads(row["headers"]).items()]
    return headers


def _pending_of_keys(conn: Connection, keys: list[bytes | None], most: int) -> list[Any]:
    """The first `most` pending rows (by id) of these keys: a prefix of each key's rows."""
    named = [k for k in keys if k is not None]
    where = [f"key IN ({_marks(len(named))})"] if named else []
    if len(named) < len(keys):
        where.append("key IS NULL")
    return conn.execute(
        "SELECT id, topic, key, value, event_id, headers FROM outbox WHERE published_at IS NULL"
        f" AND ({' OR '.join(where)}) ORDER BY id LIMIT ?",
        [*named, most],
    ).fetchall()
