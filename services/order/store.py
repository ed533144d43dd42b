"""The order service's tables and the repository functions over them.

orders            the projection: one row per order, current status and the folded state (JSON),
                  updated event by event (see `project`)
order_events      every order event seen (the timeline), with its payload, so an event that
                  arrives out of order re-folds the state from all of them: arrival order never
                  matters
idempotency_keys  Idempotency-Key of POST /orders -> the order it created
cancellations     one compensation per order (the saga cancels an order at most once)
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from services.events import TOPIC_TYPES
from services.order.domain import (
    RANK,
    STATUS_OF,
    OrderEvent,
    OrderState,
    OrderStatus,
    apply,
    as_order_event,
    rebuild,
    summarize,
)
from services.runtime.store import Connection, Database, Migration

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    customer_id TEXT,
    created_at TEXT,
    updated_at TEXT,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, created_at);
CREATE TABLE IF NOT EXISTS order_events (
    event_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    topic TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    summary TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS order_events_by_order ON order_events (order_id, occurred_at);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    idempotency_key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    order_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cancellations (
    order_id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""
MIGRATIONS = (
    Migration(1, "orders projection, order events, idempotency keys, cancellations", SCHEMA),
)


def iso(ts: datetime.datetime | None) -> str | None:
    return None if ts is None else ts.astimezone(datetime.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class TimelineRow:
    event_id: str
    event_type: str
    topic: str
    occurred_at: str
    summary: str


# -- writing (inside a transaction) ---------------------------------------------------------------


def record_event(conn: Connection, event: OrderEvent, topic: str) -> bool:
    """Add `event` to the timeline; False if it was there already."""
    meta = event.metadata
    cur = conn.execute(
        "INSERT INTO order_events"
        " (event_id, order_id, event_type, topic, occurred_at, summary, payload)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
        (
            str(meta.event_id),
            str(event.order_id),
            type(event).__name__,
            topic,
            iso(meta.occurred_at),
            summarize(event),
            event.model_dump_json(),
        ),
    )
    return bool(cur.rowcount == 1)


def load_events(conn: Connection, order_id: uuid.UUID) -> list[OrderEvent]:
    rows = conn.execute(
        "SELECT topic, payload FROM order_events WHERE order_id = ?", (str(order_id),)
    ).fetchall()
    return [as_order_event(TOPIC_TYPES[r["topic"]].model_validate_json(r["payload"])) for r in rows]


def save_state(conn: Connection, state: OrderState) -> None:
    conn.execute(
        "INSERT INTO orders (order_id, status, customer_id, created_at, updated_at, state)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET"
        " status = excluded.status, customer_id = excluded.customer_id,"
        " created_at = excluded.created_at, updated_at = excluded.updated_at,"
        " state = excluded.state",
        (
            str(state.order_id),
            state.status.value,
            state.customer_id,
            iso(state.created_at),
            iso(state.updated_at),
            state.model_dump_json(),
        ),
    )


def project(conn: Connection, event: OrderEvent, topic: str) -> OrderState:
    """Record `event` and fold it into the order's stored state; the result always equals the
    fold of the order's whole timeline in its order (`rebuild`, as replay does).

    An event later than every event folded so far (the usual case: one order's events arrive in
    the order they happened) is applied to the stored state: no timeline to re-read.  One that
    arrived out of order (or in the same millisecond as the latest) re-folds the whole timeline.
    """
    order_id = event.order_id
    recorded = record_event(conn, event, topic)
    state = load_state(conn, order_id)
    if state is not None and not recorded:
        return state  # seen before: folded in when it was recorded
    latest = None if state is None else state.updated_at
    if state is None or (latest is not None and event.metadata.occurred_at > latest):
        state = apply(state, event)
    else:
        state = rebuild(load_events(conn, order_id))[order_id]
    save_state(conn, state)
    return state


def load_state(conn: Connection, order_id: uuid.UUID) -> OrderState | None:
    row = conn.execute("SELECT state FROM orders WHERE order_id = ?", (str(order_id),)).fetchone()
    return None if row is None else OrderState.model_validate_json(row["state"])


def find_idempotency_key(conn: Connection, key: str) -> tuple[str, uuid.UUID] | None:
    row = conn.execute(
        "SELECT request_hash, order_id FROM idempotency_keys WHERE idempotency_key = ?", (key,)
    ).fetchone()
    return None if row is None else (row["request_hash"], uuid.UUID(row["order_id"]))


def save_idempotency_key(
    conn: Connection, key: str, request_hash: str, order_id: uuid.UUID
) -> None:
    conn.execute(
        "INSERT INTO idempotency_keys (idempotency_key, request_hash, order_id, created_at)"
        " VALUES (?, ?, ?, ?)",
        (key, request_hash, str(order_id), iso(datetime.datetime.now(datetime.UTC))),
    )


def claim_cancellation(
    conn: Connection, order_id: uuid.UUID, event_id: uuid.UUID, reason: str
) -> bool:
    """True the first time an order is cancelled by the saga; False ever after."""
    cur = conn.execute(
        "INSERT INTO cancellations (order_id, event_id, reason) VALUES (?, ?, ?)"
        " ON CONFLICT (order_id) DO NOTHING",
        (str(order_id), str(event_id), reason),
    )
    return bool(cur.rowcount == 1)


# -- reading ---------------------------------------------------------------------------------------


def get_order(db: Database, order_id: uuid.UUID) -> OrderState | None:
    rows = db.query("SELECT state FROM orders WHERE order_id = ?", (str(order_id),))
    return OrderState.model_validate_json(rows[0]["state"]) if rows else None


def list_orders(
    db: Database, status: OrderStatus | None, limit: int, customer_id: str | None = None
) -> list[OrderState]:
    where, args = [], []
    if status is not None:
        where.append("status = ?")
        args.append(status.value)
    if customer_id is not None:
        where.append("customer_id = ?")
        args.append(customer_id)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = db.query(
        f"SELECT state FROM orders{clause} ORDER BY created_at DESC, order_id LIMIT ?",
        (*args, limit),
    )
    return [OrderState.model_validate_json(r["state"]) for r in rows]


def count_by_status(db: Database) -> dict[str, int]:
    rows = db.query("SELECT status, COUNT(*) AS n FROM orders GROUP BY status")
    return {r["status"]: int(r["n"]) for r in rows}


def all_states(db: Database) -> dict[uuid.UUID, OrderState]:
    rows = db.query("SELECT order_id, state FROM orders")
    return {uuid.UUID(r["order_id"]): OrderState.model_validate_json(r["state"]) for r in rows}


def timeline(db: Database, order_id: uuid.UUID) -> list[TimelineRow]:
    rows = db.query(
        "SELECT event_id, event_type, topic, occurred_at, summary FROM order_events"
        " WHERE order_id = ?",
        (str(order_id),),
    )
    entries = [TimelineRow(**dict(r)) for r in rows]
    return sorted(entries, key=lambda e: (e.occurred_at, _RANK_BY_NAME[e.event_type], e.event_id))


_RANK_BY_NAME = {t.__name__: RANK[s] for t, s in STATUS_OF.items()}
