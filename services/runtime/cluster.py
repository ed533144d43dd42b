"""Guard against a broker that lost its history (the embedded Tansu keeps memory only).

A service records the Kafka cluster id it works against in its own database.  If the broker later
answers with another id (it was restarted empty, or the address now points elsewhere), the service's
state, inbox and committed offsets no longer match the log: going on would silently diverge (offsets
reset to the start of empty topics, outbox rows published into a different history).  So it says so
loudly and exits non-zero, at start-up or within one check interval while running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from services.runtime.store import Database

EXIT_HISTORY_LOST = 3
_KEY = "kafka.cluster_id"


class BrokerHistoryLost(RuntimeError):
    pass


def current_cluster_id(admin: AdminClient, timeout_s: float = 5.0) -> str | None:
    """The broker's cluster id, or None when it does not answer (a reconnect is not a change)."""
    try:
        return admin.list_topics(timeout=timeout_s).cluster_id
    except KafkaException:
        return None


def lost_history_message(recorded: str, now: str) -> str:
    return (
        f"broker history lost: cluster id changed from {recorded!r} to {now!r}; this service's "
        "state no longer matches the log. Restart the stack (`make down && make up`), which starts "
        "the services with empty databases."
    )


def check_recorded(db: Database, cluster_id: str) -> None:
    """Record `cluster_id` on first start; raise if the database belongs to another cluster."""
    with db.transaction() as conn:  # instances starting together: the first one records it
        conn.execute(
            "INSERT INTO runtime_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (_KEY, cluster_id),
        )
        row = conn.execute("SELECT value FROM runtime_meta WHERE key = ?", (_KEY,)).fetchone()
        if row["value"] != cluster_id:
            raise BrokerHistoryLost(lost_history_message(row["value"], cluster_id))


class ClusterWatch(threading.Thread):
    """Checks the cluster id every `interval_s`; calls `on_lost(message)` on a change."""

    def __init__(
        self,
        admin: AdminClient,
        recorded: str,
        stop: threading.Event,
        interval_s: float,
        on_lost: Callable[[str], None],
    ) -> None:
        super().__init__(name="cluster-watch", daemon=True)
        self.admin = admin
        self.recorded = recorded
        self.stop_event = stop
        self.interval_s = interval_s
        self.on_lost = on_lost

    def run(self) -> None:
        while not self.stop_event.wait(self.interval_s):
            now = current_cluster_id(self.admin)
            if now is not None and now != self.recorded:
                self.on_lost(lost_history_message(self.recorded, now))
                return
