"""What every engine offers: connections that take `?` placeholders and give rows by column name,
short transactions (optionally serialized on a named lock), and errors sorted for retrying."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol


class Row(Protocol):
    """A result row: by position (`row[0]`) and by column name (`row["id"]`), `dict(row)`."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...  # Row | None (Any: sqlite3's own cursor types it so)

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection the project uses; SQL is written with `?` placeholders."""

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor: ...

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Cursor: ...


@dataclass(frozen=True)
class Dialect:
    """The few SQL fragments that differ between engines (everything else is written once)."""

    name: str  # "sqlite" | "postgresql"
    skip_locked: str  # appended to a SELECT that claims rows other workers must skip
    now_epoch: str  # the database's clock, in seconds since the epoch (one clock for all hosts)


class UnstorableValueError(ValueError):
    """A value the engine cannot store as given (PostgreSQL text cannot hold NUL characters)."""


class TransientDatabaseError(Exception):
    """The database could not do it now; the same work may succeed when retried."""

    error_class = "database_unavailable"


class DatabaseUnavailable(TransientDatabaseError):
    """Server down, connection lost, no connection free in time, file locked."""


class DatabaseConflict(TransientDatabaseError):
    """A concurrent transaction won (serialization failure, deadlock): retry the whole thing."""

    error_class = "database_conflict"


class Database(Protocol):
    """One service's (or the registry's) database, whatever the engine."""

    dialect: Dialect
    description: str  # where it is, for messages: a path or a URL without password
    namespace_ddl: str  # creates the namespace its tables live in ("" when the file is it)

    def transaction(
        self, lock: str | None = None, locks: Collection[str] = (), durable: bool = True
    ) -> AbstractContextManager[Connection]:
        """One transaction: committed when the block ends, rolled back on any exception.

        `lock` serializes it with every other transaction of this database (in any process)
        that names the same lock; on SQLite every write transaction is serialized anyway.
        `locks`: several names, all taken before the block runs, always in one fixed order
        whoever takes them, so that transactions naming overlapping sets never deadlock on them.
        `durable=False`: the commit does not wait for the disk (no fsync); a crash of the machine
        (not of the process) may lose it, never half of it.  For bookkeeping that is safe to lose
        (an outbox row's lease or published mark: lost, the row is sent again)."""
        ...

    def savepoint(self, conn: Connection, name: str = "step") -> AbstractContextManager[None]:
        """A part of `conn`'s transaction that can fail alone (`savepoint` below); errors out of
        it are sorted like those out of `transaction()` (`DatabaseUnavailable`, ...)."""
        ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """One read outside any transaction of the caller's."""
        ...

    def reader(self) -> Connection:
        """A connection for reads outside transactions, each statement on its own (SQLite: one
        connection per thread, never blocked by the writer; PostgreSQL: a pooled connection per
        statement, its rows fetched at once)."""
        ...

    def close(self) -> None: ...


@contextmanager
def savepoint(conn: Connection, name: str = "step") -> Iterator[None]:
    """A part of a transaction that can fail alone: on an exception its changes are rolled back
    (the transaction goes on, as it was before the block) and the exception propagates."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
        conn.execute(f"RELEASE SAVEPOINT {name}")
        raise
    conn.execute(f"RELEASE SAVEPOINT {name}")
