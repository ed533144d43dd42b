"""Each service owns one database: its own tables plus the runtime's inbox, outbox and meta rows.

SQLite under DATA_DIR by default; with DATABASE_URL=postgresql://... every instance of a service
works in the PostgreSQL schema named after the service and touches no other (`dbkit`).  All SQL
goes through `Database.transaction()`; the tables come from versioned migrations, the runtime's
below and each service's own (`MIGRATIONS` in its store.py), applied by `open_store` at start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from dbkit import Connection, Database, Migration, apply_migrations, open_database

__all__ = ["RUNTIME_MIGRATIONS", "Connection", "Database", "Migration", "open_store"]

_UTC_NOW_SQLITE = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
_UTC_NOW_PG = "(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"

_RUNTIME_TABLES = """
CREATE TABLE IF NOT EXISTS inbox (
    consumer_group TEXT NOT NULL,
    event_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    processed_at TEXT NOT NULL DEFAULT {now},
    PRIMARY KEY (consumer_group, event_id)
);
CREATE TABLE IF NOT EXISTS outbox (
    id {id},
    topic TEXT NOT NULL,
    key {blob},
    value {blob} NOT NULL,
    event_id TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT {now},
    published_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE published_at IS NULL;
CREATE TABLE IF NOT EXISTS runtime_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

RUNTIME_MIGRATIONS = (
    Migration(
        1,
        "inbox, outbox and runtime_meta",
        sqlite=_RUNTIME_TABLES.format(
            now=_UTC_NOW_SQLITE, id="INTEGER PRIMARY KEY AUTOINCREMENT", blob="BLOB"
        ),
        postgresql=_RUNTIME_TABLES.format(
            now=_UTC_NOW_PG, id="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", blob="BYTEA"
        ),
    ),
    Migration(
        2,
        "outbox leases: relays of several instances claim keys instead of holding a lock",
        """
        ALTER TABLE outbox ADD COLUMN leased_by TEXT;
        ALTER TABLE outbox ADD COLUMN lease_until DOUBLE PRECISION;
        CREATE INDEX IF NOT EXISTS outbox_pending_by_key ON outbox (key, id)
            WHERE published_at IS NULL;
        """,
    ),
    Migration(
        3,
        "outbox headers: sent as Kafka headers, for consumers to filter on before decoding",
        "ALTER TABLE outbox ADD COLUMN headers TEXT",  # JSON {name: value}; NULL: none
    ),
)
RUNTIME = "runtime"


def open_store(
    target: str | Path,
    service: str,
    migrations: Sequence[Migration] = (),
    *,
    pool_size: int = 10,
    timeout_s: float = 10.0,
    up_to: Mapping[str, int] | None = None,
) -> Database:
    """The database of `service` at `target` (a SQLite path or a postgresql:// URL), migrated to
    the latest runtime and service steps (or only `up_to` them, for upgrade tests)."""
    db = open_database(
        target, schema=service, pool_size=pool_size, timeout_s=timeout_s, name=service
    )
    try:
        apply_migrations(db, {RUNTIME: RUNTIME_MIGRATIONS, service: migrations}, up_to=up_to)
    except BaseException:
        db.close()
        raise
    return db
