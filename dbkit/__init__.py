"""One home for what the services' runtime and the registry need of a SQL database: SQLite (the
embedded default, a file) or PostgreSQL (a URL, one schema per owner), behind one small interface.

- `dbkit.base`: `Database` (transactions, optionally serialized on named locks, with savepoints;
  reads), `Connection` (SQL written once with `?` placeholders, rows by column name), the dialect
  fragments that differ, and the transient errors (`DatabaseUnavailable`, `DatabaseConflict`);
- `dbkit.sqlite`, `dbkit.postgres`: the two engines;
- `dbkit.migrations`: versioned steps per component, applied at start under a lock.
"""

from __future__ import annotations

from pathlib import Path

from dbkit.base import (
    Connection,
    Cursor,
    Database,
    DatabaseConflict,
    DatabaseUnavailable,
    Dialect,
    Row,
    TransientDatabaseError,
    UnstorableValueError,
)
from dbkit.migrations import Migration, MigrationError, apply_migrations
from dbkit.sqlite import SqliteDatabase

__all__ = [
    "Connection",
    "Cursor",
    "Database",
    "DatabaseConflict",
    "DatabaseUnavailable",
    "Dialect",
    "Migration",
    "MigrationError",
    "Row",
    "SqliteDatabase",
    "TransientDatabaseError",
    "UnstorableValueError",
    "apply_migrations",
    "is_postgres_url",
    "open_database",
]


def is_postgres_url(target: str | Path | None) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def open_database(
    target: str | Path,
    *,
    schema: str = "public",
    pool_size: int = 10,
    timeout_s: float = 10.0,
    name: str = "shop-events",
) -> Database:
    """A PostgreSQL database (`target` a postgresql:// URL, working in `schema`) or a SQLite file
    (`target` a path; `schema` is then the file itself).  `timeout_s`: how long to wait for a
    connection before `DatabaseUnavailable` (PostgreSQL)."""
    if is_postgres_url(target):
        from dbkit.postgres import PostgresDatabase  # psycopg only where PostgreSQL is used

        return PostgresDatabase(
            str(target), schema, pool_size=pool_size, timeout_s=timeout_s, application_name=name
        )
    return SqliteDatabase(target)
