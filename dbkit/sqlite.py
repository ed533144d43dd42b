"""SQLite: one file, one connection per process, one writer at a time (BEGIN IMMEDIATE), readers
never blocked (WAL), every commit synced (synchronous=FULL) so that it survives kill -9."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbkit.base import Connection, DatabaseUnavailable, Dialect, savepoint

DIALECT = Dialect(
    name="sqlite",
    skip_locked="",  # BEGIN IMMEDIATE already keeps every other writer out
    now_epoch="((julianday('now') - 2440587.5) * 86400.0)",
)


class SqliteDatabase:
    dialect = DIALECT
    namespace_ddl = ""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else path
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.description = str(self.path)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._conn = self._connect()
        self._conn.execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=30
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    @contextmanager
    def transaction(
        self, lock: str | None = None, locks: Collection[str] = (), durable: bool = True
    ) -> Iterator[Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (`lock`, `locks`: nothing more
        to do, writers are serialized already).  Not `durable`: committed to the WAL without an
        fsync (synchronous=NORMAL for this one commit; the next durable commit syncs it too)."""
        with self._lock:
            try:
                if not durable:
                    self._conn.execute("PRAGMA synchronous=NORMAL")
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
                    try:
                        yield self._conn
                    except BaseException:
                        self._conn.execute("ROLLBACK")
                        raise
                    self._conn.execute("COMMIT")
                finally:
                    if not durable:
                        self._conn.execute("PRAGMA synchronous=FULL")
            except sqlite3.OperationalError as exc:  # locked, disk I/O, ...: may heal
                raise DatabaseUnavailable(f"{self.description}: {exc}") from exc

    @contextmanager
    def savepoint(self, conn: Connection, name: str = "step") -> Iterator[None]:
        try:
            with savepoint(conn, name):
                yield
        except sqlite3.OperationalError as exc:
            raise DatabaseUnavailable(f"{self.description}: {exc}") from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise DatabaseUnavailable(f"{self.description}: {exc}") from exc

    def reader(self) -> Connection:
        if self.path == ":memory:":  # one connection holds the whole database
            return self._conn
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()
