"""Inventory's tables: stock levels, the lines of orders seen, reservations and their lines."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from services.inventory.domain import RESERVED, Reservation, parse_seed
from services.runtime.store import Connection, Migration
from services.runtime.unit_of_work import now_utc

DEFAULT_SEED_FILE = Path(__file__).with_name("seed_stock.json")

SCHEMA = """
CREATE TABLE IF NOT EXISTS stock (
    sku TEXT PRIMARY KEY,
    available INTEGER NOT NULL CHECK (available >= 0)
);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    lines TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('RESERVED', 'RELEASED', 'FAILED')),
    detail TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    released_at TEXT
);
CREATE TABLE IF NOT EXISTS reservation_lines (
    reservation_id TEXT NOT NULL REFERENCES reservations (reservation_id),
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (reservation_id, sku)
);
"""
MIGRATIONS = (Migration(1, "stock, orders, reservations and their lines", SCHEMA),)


def load_seed_file(path: Path) -> dict[str, int]:
    text = path.read_text()
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    return parse_seed(data)


def seed_missing(conn: Connection, seed: Mapping[str, int]) -> int:
    """Insert only skus not stocked yet (a restart never resets stock); return how many."""
    added = 0
    for sku, qty in seed.items():
        cur = conn.execute(
            "INSERT INTO stock (sku, available) VALUES (?, ?) ON CONFLICT (sku) DO NOTHING",
            (sku, qty),
        )
        added += cur.rowcount
    return added


def stock_levels(conn: Connection, skus: Iterable[str]) -> dict[str, int]:
    skus = list(skus)
    if not skus:
        return {}
    marks = ", ".join("?" for _ in skus)
    rows = conn.execute(f"SELECT sku, available FROM stock WHERE sku IN ({marks})", skus)
    return {row["sku"]: row["available"] for row in rows}


def save_order_lines(conn: Connection, order_id: uuid.UUID, lines: list[tuple[str, int]]) -> None:
    conn.execute(
        "INSERT INTO orders (order_id, lines, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (order_id) DO NOTHING",
        (str(order_id), json.dumps(lines), now_utc().isoformat()),
    )


def order_lines(conn: Connection, order_id: uuid.UUID) -> list[tuple[str, int]] | None:
    row = conn.execute("SELECT lines FROM orders WHERE order_id = ?", (str(order_id),)).fetchone()
    if row is None:
        return None
    return [(sku, int(qty)) for sku, qty in json.loads(row["lines"])]


def get_reservation(conn: Connection, order_id: uuid.UUID) -> Reservation | None:
    row = conn.execute(
        "SELECT reservation_id, status FROM reservations WHERE order_id = ?", (str(order_id),)
    ).fetchone()
    if row is None:
        return None
    lines = conn.execute(
        "SELECT sku, quantity FROM reservation_lines WHERE reservation_id = ?",
        (row["reservation_id"],),
    )
    return Reservation(
        row["reservation_id"], order_id, {r["sku"]: r["quantity"] for r in lines}, row["status"]
    )


def add_reservation(conn: Connection, res: Reservation, detail: str = "") -> None:
    """Record the reservation; if RESERVED, take its lines out of stock (same transaction)."""
    conn.execute(
        "INSERT INTO reservations (reservation_id, order_id, status, detail, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (res.reservation_id, str(res.order_id), res.status, detail, now_utc().isoformat()),
    )
    if res.status != RESERVED:
        return
    for sku, qty in sorted(res.lines.items()):
        conn.execute(
            "INSERT INTO reservation_lines (reservation_id, sku, quantity) VALUES (?, ?, ?)",
            (res.reservation_id, sku, qty),
        )
        cur = conn.execute(
            "UPDATE stock SET available = available - ? WHERE sku = ? AND available >= ?",
            (qty, sku, qty),
        )
        if cur.rowcount != 1:  # the plan was made in this transaction: cannot happen
            raise RuntimeError(f"stock of {sku} changed under reservation {res.reservation_id}")


def release(conn: Connection, res: Reservation, give_back: Mapping[str, int]) -> None:
    for sku, qty in sorted(give_back.items()):
        conn.execute("UPDATE stock SET available = available + ? WHERE sku = ?", (qty, sku))
    conn.execute(
        "UPDATE reservations SET status = ?, released_at = ? WHERE reservation_id = ?",
        (res.status, now_utc().isoformat(), res.reservation_id),
    )
