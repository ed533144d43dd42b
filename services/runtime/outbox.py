"""Publish committed outbox rows, in order, then mark them published.

The relay holds the database's write lock while it sends and flushes, so two relays (threads or
processes sharing the database) never send the same row twice; a crash between flush and commit
re-sends rows, which consumers drop by event id (at-least-once, deduplicated).

Writers that are not consumers (an HTTP API) call `request()`: with a background relay running
it wakes it up and returns at once, so concurrent requests share one send and flush.
"""

from __future__ import annotations

import threading

from services.runtime.logging import get_logger
from services.runtime.sinks import Sink
from services.runtime.store import Database


class OutboxRelay:
    def __init__(self, db: Database, sink: Sink, batch: int = 500) -> None:
        self.db = db
        self.sink = sink
        self.batch = batch
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
                except Exception as exc:  # broker away: rows stay pending for the next round
                    get_logger().warning("outbox relay failed; will retry", error=str(exc)[:300])

        self._background = threading.Thread(target=loop, name="outbox-relay", daemon=True)
        self._background.start()

    def relay(self) -> int:
        """Send every pending row; return how many were published."""
        total = 0
        with self._lock:
            while True:
                with self.db.transaction() as conn:
                    rows = conn.execute(
                        "SELECT id, topic, key, value, event_id FROM outbox"
                        " WHERE published_at IS NULL ORDER BY id LIMIT ?",
                        (self.batch,),
                    ).fetchall()
                    if not rows:
                        break
                    for row in rows:
                        headers = [("event_id", row["event_id"].encode())]
                        self.sink.send(row["topic"], row["key"], row["value"], headers)
                    self.sink.flush()
                    conn.execute(
                        "UPDATE outbox SET published_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                        f" WHERE id IN ({','.join('?' * len(rows))})",
                        [row["id"] for row in rows],
                    )
                total += len(rows)
            self.published += total
        return total
