"""Payment's tables: the ledger of captured charges and the record of declined orders."""

from __future__ import annotations

import uuid
from decimal import Decimal

from services.payment.domain import Charge
from services.runtime.store import Connection, Migration
from services.runtime.unit_of_work import now_utc

SCHEMA = """
CREATE TABLE IF NOT EXISTS charges (
    payment_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('CAPTURED', 'REFUNDED')),
    created_at TEXT NOT NULL,
    refunded_at TEXT
);
CREATE TABLE IF NOT EXISTS declines (
    order_id TEXT PRIMARY KEY,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""
MIGRATIONS = (Migration(1, "charges and declines", SCHEMA),)


def already_decided(conn: Connection, order_id: uuid.UUID) -> bool:
    """Was this order charged or declined before? (each order gets one gateway decision)"""
    row = conn.execute(
        "SELECT 1 FROM charges WHERE order_id = ?"
        " UNION ALL SELECT 1 FROM declines WHERE order_id = ?",
        (str(order_id), str(order_id)),
    ).fetchone()
    return row is not None


def get_charge(conn: Connection, order_id: uuid.UUID) -> Charge | None:
    row = conn.execute(
        "SELECT payment_id, order_id, amount, currency, status FROM charges WHERE order_id = ?",
        (str(order_id),),
    ).fetchone()
    if row is None:
        return None
    return Charge(
        row["payment_id"],
        uuid.UUID(row["order_id"]),
        Decimal(row["amount"]),
        row["currency"],
        row["status"],
    )


def add_charge(conn: Connection, charge: Charge) -> None:
    conn.execute(
        "INSERT INTO charges (payment_id, order_id, amount, currency, status, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            charge.payment_id,
            str(charge.order_id),
            str(charge.amount),
            charge.currency,
            charge.status,
            now_utc().isoformat(),
        ),
    )


def save_status(conn: Connection, charge: Charge) -> None:
    conn.execute(
        "UPDATE charges SET status = ?, refunded_at = ? WHERE payment_id = ?",
        (charge.status, now_utc().isoformat(), charge.payment_id),
    )


def add_decline(
    conn: Connection,
    order_id: uuid.UUID,
    amount: Decimal,
    currency: str,
    reason: str,
    detail: str,
) -> None:
    conn.execute(
        "INSERT INTO declines (order_id, amount, currency, reason, detail, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (str(order_id), str(amount), currency, reason, detail, now_utc().isoformat()),
    )
