"""PostgreSQL through psycopg 3 and a connection pool.

SQL is written once, for both engines, with `?` placeholders and rows read by column name; the
adapter here turns `?` into psycopg's `%s` (and a literal `%` into `%%`) and gives rows that answer
`row[0]` and `row["name"]` alike.  Each database object works in one schema (`search_path`), so
services sharing a database server never see each other's tables.  Connections are autocommit
outside `transaction()`; a named lock is a transaction-scoped advisory lock, released at commit
(several are taken in ascending key order, in one statement).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from dbkit.base import (
    Connection,
    Cursor,
    DatabaseConflict,
    DatabaseUnavailable,
    Dialect,
    UnstorableValueError,
    savepoint,
)

DIALECT = Dialect(
    name="postgresql",
    skip_locked=" FOR UPDATE SKIP LOCKED",
    now_epoch="extract(epoch from clock_timestamp())::double precision",
)
# a concurrent transaction won: the same transaction, retried, may succeed
_CONFLICTS = (
    pg_errors.TransactionRollback,
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
)
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@functools.lru_cache(maxsize=2048)
def to_pyformat(sql: str) -> str:
    """`?` placeholders (outside quotes) -> `%s`; every literal `%` -> `%%`."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if ch == "%":
            out.append("%%")
        elif quote:
            quote = "" if ch == quote else quote
            out.append(ch)
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        else:
            out.append("%s" if ch == "?" else ch)
    return "".join(out)


class PgRow:
    """A row by position and by column name, like `sqlite3.Row`."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key] if isinstance(key, str) else key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return tuple(self._values) == tuple(other) if isinstance(other, PgRow | tuple) else False

    def __hash__(self) -> int:
        return hash(tuple(self._values))

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._index, self._values, strict=True))})"


def rows_by_name(cursor: Any) -> Any:
    """psycopg row factory making `PgRow`s."""
    index = {c.name: i for i, c in enumerate(cursor.description or ())}
    return functools.partial(PgRow, index)


class PgConnection:
    """A psycopg connection speaking the project's SQL (`?` placeholders)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        return self.raw.execute(to_pyformat(sql), tuple(parameters))

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Cursor:
        cur = self.raw.cursor()
        cur.executemany(to_pyformat(sql), [tuple(p) for p in seq_of_parameters])
        return cur


class FetchedCursor:
    """The rows of one statement, already fetched (its connection went back to the pool)."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class PooledReads:
    """Reads outside transactions: each statement on a pooled connection of its own."""

    def __init__(self, database: PostgresDatabase) -> None:
        self.database = database

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        with self.database.connection() as conn:
            cur = conn.execute(sql, parameters)
            rows = cur.fetchall() if cur.description is not None else []  # type: ignore[attr-defined]
            return FetchedCursor(rows, cur.rowcount)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Cursor:
        raise TypeError("reads only: write in a transaction")


def lock_id(namespace: str, name: str) -> int:
    """The 64-bit advisory lock key of `name` within `namespace` (a schema)."""
    digest = hashlib.blake2b(f"{namespace}\0{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def safe_description(url: str) -> str:
    """host:port/dbname of a conninfo or URL, without user or password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql (unparsable URL)"
    return (
        f"postgresql://{parts.get('host', '')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"
    )


class PostgresDatabase:
    dialect = DIALECT

    def __init__(
        self,
        url: str,
        schema: str,
        *,
        pool_size: int = 10,
        timeout_s: float = 10.0,
        application_name: str = "shop-events",
    ) -> None:
        if not SCHEMA_NAME.match(schema):
            raise ValueError(f"schema name {schema!r}: use lower case letters, digits and _")
        try:
            port = str(conninfo_to_dict(url).get("port", "5432"))
        except psycopg.ProgrammingError as exc:
            raise ValueError(f"not a usable PostgreSQL URL: {exc}") from None
        if not all(p.isdigit() for p in port.split(",")):
            raise ValueError(f"not a usable PostgreSQL URL: port {port!r}")
        self.schema = schema
        self.description = f"{safe_description(url)} schema {schema}"
        self.namespace_ddl = f'CREATE SCHEMA IF NOT EXISTS "{schema}"'
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            timeout=timeout_s,
            check=ConnectionPool.check_connection,  # a server restart leaves broken connections
            kwargs={
                "autocommit": True,
                "row_factory": rows_by_name,
                "connect_timeout": max(1, int(timeout_s)),
                "options": f"-c search_path={schema}",
                "application_name": application_name,
            },
            name=f"{application_name}:{schema}",
            open=True,
        )

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (ValueError, psycopg.DataError) as exc:  # NUL in text is refused before sending
            if "NUL" in str(exc):
                raise UnstorableValueError(str(exc)) from exc
            raise
        except _CONFLICTS as exc:
            raise DatabaseConflict(f"{self.description}: {exc}") from exc
        except psycopg.OperationalError as exc:  # down, connection lost, pool timeout
            raise DatabaseUnavailable(f"{self.description}: {exc}") from exc

    @contextmanager
    def transaction(
        self, lock: str | None = None, locks: Collection[str] = (), durable: bool = True
    ) -> Iterator[Connection]:
        names = {*locks, *([lock] if lock is not None else [])}
        # One fixed order for everyone (ascending key): overlapping sets never deadlock.
        ids = sorted({lock_id(self.schema, name) for name in names})
        with self._translated(), self._pool.connection() as conn, conn.transaction():
            if not durable:  # the commit returns before its WAL record is flushed
                conn.execute("SET LOCAL synchronous_commit = off")
            if len(ids) == 1:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (ids[0],))
            elif ids:  # one round trip; unnest yields the array's elements in order
                conn.execute(
                    "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", (ids,)
                )
            yield PgConnection(conn)

    @contextmanager
    def savepoint(self, conn: Connection, name: str = "step") -> Iterator[None]:
        with self._translated(), savepoint(conn, name):
            yield

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A pooled connection in autocommit, for statements that need no transaction."""
        with self._translated(), self._pool.connection() as conn:
            yield PgConnection(conn)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def reader(self) -> Connection:
        return PooledReads(self)

    def close(self) -> None:
        self._pool.close()
