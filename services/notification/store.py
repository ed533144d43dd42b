"""The notification service's tables and the small queries on them.

`orders`: who to notify about an order (learnt from OrderCreated).
`sent`:   what each channel sender has sent; the UNIQUE event_id makes a send happen once.
Plain SQL (`ON CONFLICT ... DO NOTHING` works on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import datetime

from services.events import Notification
from services.runtime.store import Connection, Migration

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sent (
    event_id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    priority TEXT NOT NULL,
    order_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    title TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sent_by_order ON sent (order_id);
"""
MIGRATIONS = (Migration(1, "orders and sent notifications", SCHEMA),)


def remember_order(conn: Connection, order_id: str, customer_id: str) -> None:
    conn.execute(
        "INSERT INTO orders (order_id, customer_id) VALUES (?, ?)"
        " ON CONFLICT (order_id) DO NOTHING",
        (order_id, customer_id),
    )


def customer_of(conn: Connection, order_id: str) -> str | None:
    row = conn.execute("SELECT customer_id FROM orders WHERE order_id = ?", (order_id,)).fetchone()
    return None if row is None else str(row[0])


def record_sent(conn: Connection, notification: Notification, sent_at: datetime.datetime) -> bool:
    """Record `notification` as sent; False if it already was (nothing recorded then)."""
    cur = conn.execute(
        "INSERT INTO sent (event_id, channel, priority, order_id, customer_id, title, sent_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
        (
            str(notification.metadata.event_id),
            notification.channel.value,
            notification.priority.value,
            str(notification.order_id),
            notification.customer_id,
            notification.title,
            sent_at.isoformat(),
        ),
    )
    return cur.rowcount == 1
