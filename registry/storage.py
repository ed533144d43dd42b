"""Persistence: schemas (by id), subject versions, and per-subject config and mode, in SQLite
(a file under the data dir) or PostgreSQL (`--database-url`, schema `registry`), through `dbkit`.

Durability: an acknowledged write is committed (SQLite: WAL with synchronous=FULL), so it survives
kill -9.  Writes go through `Storage.writer()`: serialized by a process-wide lock and, across
processes, by the database (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so
registrations get one id per schema and gap-free versions however many registry processes serve
one database.  Every write also bumps the store's generation, which the read cache of every other
process compares with its own before serving a hit (`Storage.generation()`).  Reads use one
connection per thread (SQLite) or a pooled connection per statement (PostgreSQL).
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbkit import Connection, Migration, SqliteDatabase, apply_migrations, open_database

GLOBAL = ""  # the subject key of global config and mode rows
DATA_MIGRATIONS = "registry-data"  # the component of data migrations in schema_migrations

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schemas (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    schema_type TEXT NOT NULL,
    text TEXT NOT NULL,
    refs TEXT NOT NULL,
    guid TEXT NOT NULL UNIQUE,
    metadata TEXT,
    rule_set TEXT,
    base_fingerprint TEXT
);
CREATE TABLE IF NOT EXISTS versions (
    subject TEXT NOT NULL,
    version INTEGER NOT NULL,
    schema_id INTEGER NOT NULL REFERENCES schemas(id),
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (subject, version)
);
CREATE INDEX IF NOT EXISTS versions_by_schema ON versions(schema_id);
CREATE TABLE IF NOT EXISTS refs (
    schema_id INTEGER NOT NULL,
    subject TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS refs_by_target ON refs(subject, version);
CREATE INDEX IF NOT EXISTS schemas_by_base ON schemas(base_fingerprint);
CREATE TABLE IF NOT EXISTS config (subject TEXT PRIMARY KEY, compatibility TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS modes (subject TEXT PRIMARY KEY, mode TEXT NOT NULL);
"""

MIGRATIONS = (
    Migration(1, "schemas, versions, references, config and modes", _SCHEMA),
    Migration(
        2,
        "the store generation: bumped by every write, read by every process's cache",
        """
        CREATE TABLE IF NOT EXISTS store_generation (
            id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL
        );
        INSERT INTO store_generation (id, value) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
        """,
    ),
)

# Columns added after the first release: (name, type). Older data dirs get them on open.
_ADDED_SCHEMA_COLUMNS = (("metadata", "TEXT"), ("rule_set", "TEXT"), ("base_fingerprint", "TEXT"))


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a SQLite file from before versioned migrations up to step 1 (idempotent)."""
    have = {r[1] for r in conn.execute("PRAGMA table_info(schemas)")}
    if not have:
        return  # a new database: `_SCHEMA` creates everything
    for name, sql_type in _ADDED_SCHEMA_COLUMNS:
        if name not in have:
            conn.execute(f"ALTER TABLE schemas ADD COLUMN {name} {sql_type}")
    # Rows from before data contracts have no metadata/ruleSet: their base is their fingerprint.
    conn.execute("UPDATE schemas SET base_fingerprint=fingerprint WHERE base_fingerprint IS NULL")


def _json_or_none(text: str | None) -> Any:
    return json.loads(text) if text is not None else None


@dataclass(frozen=True)
class SchemaRow:
    id: int
    schema_type: str
    text: str
    refs: list[dict[str, Any]]
    guid: str
    metadata: dict[str, Any] | None = None
    rule_set: dict[str, Any] | None = None


@dataclass(frozen=True)
class VersionRow:
    subject: str
    version: int
    schema_id: int
    deleted: bool


class Tx:
    """Queries over one connection (inside a write transaction or a plain read)."""

    def __init__(self, conn: Connection, engine: str = "sqlite") -> None:
        self.conn = conn
        self.engine = engine

    def _one(self, sql: str, *args: Any) -> Any:
        return self.conn.execute(sql, args).fetchone()

    # schemas
    def schema_by_id(self, schema_id: int) -> SchemaRow | None:
        row = self._one(
            "SELECT id, schema_type, text, refs, guid, metadata, rule_set FROM schemas WHERE id=?",
            schema_id,
        )
        if row is None:
            return None
        return SchemaRow(
            row[0], row[1], row[2], json.loads(row[3]), row[4], *map(_json_or_none, row[5:7])
        )

    def schema_id_by_guid(self, guid: str) -> int | None:
        row = self._one("SELECT id FROM schemas WHERE guid=?", guid)
        return row[0] if row else None

    def schema_id_by_fingerprint(self, fingerprint: str) -> int | None:
        row = self._one("SELECT id FROM schemas WHERE fingerprint=?", fingerprint)
        return row[0] if row else None

    def schema_ids_by_base(self, base_fingerprint: str) -> set[int]:
        """Ids of the schemas with this text and references, whatever their metadata/ruleSet."""
        rows = self.conn.execute(
            "SELECT id FROM schemas WHERE base_fingerprint=?", (base_fingerprint,)
        ).fetchall()
        return {r[0] for r in rows}

    def identities(self) -> list[tuple[int, str, str, list[dict[str, Any]], Any, Any, str]]:
        """(id, type, text, refs, metadata, ruleSet, fingerprint) of every schema (migrations)."""
        rows = self.conn.execute(
            "SELECT id, schema_type, text, refs, metadata, rule_set, fingerprint FROM schemas"
        ).fetchall()
        return [
            (r[0], r[1], r[2], json.loads(r[3]), *map(_json_or_none, r[4:6]), r[6]) for r in rows
        ]

    def set_fingerprints(self, schema_id: int, fingerprint: str, base_fingerprint: str) -> None:
        self.conn.execute(
            "UPDATE schemas SET fingerprint=?, base_fingerprint=? WHERE id=?",
            (fingerprint, base_fingerprint, schema_id),
        )

    def data_version(self) -> int:
        """Which data migrations (steps done in Python, not SQL) this database has had: SQLite's
        `user_version`, as data dirs have always recorded it; on PostgreSQL a row of
        `schema_migrations` per step."""
        if self.engine == "sqlite":
            return int(self._one("PRAGMA user_version")[0])
        row = self._one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component=?",
            DATA_MIGRATIONS,
        )
        return int(row[0])

    def set_data_version(self, version: int) -> None:
        if self.engine == "sqlite":
            self.conn.execute(f"PRAGMA user_version={int(version)}")
            return
        self.conn.execute(
            "INSERT INTO schema_migrations (component, version, name, applied_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (component, version) DO NOTHING",
            (
                DATA_MIGRATIONS,
                version,
                f"data migration {version}",
                datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            ),
        )

    def max_schema_id(self) -> int:
        return int(self._one("SELECT COALESCE(MAX(id), 0) FROM schemas")[0])

    def free_schema_id(self, largest: int) -> int | None:
        """The next id to give, at most `largest`: after the largest id in use, else (once an
        imported id took the top) the smallest id never given; None when none is left."""
        top = self.max_schema_id()
        if top < largest:
            return top + 1
        row = self._one(
            "SELECT MIN(id + 1) FROM (SELECT 0 AS id UNION ALL SELECT id FROM schemas) AS s "
            "WHERE id + 1 <= ? AND NOT EXISTS (SELECT 1 FROM schemas t WHERE t.id = s.id + 1)",
            largest,
        )
        return None if row[0] is None else int(row[0])

    def insert_schema(
        self,
        fingerprint: str,
        schema_type: str,
        text: str,
        refs: list[dict[str, Any]],
        guid: str,
        schema_id: int | None = None,
        base_fingerprint: str | None = None,
        metadata: dict[str, Any] | None = None,
        rule_set: dict[str, Any] | None = None,
    ) -> int:
        new_id = schema_id if schema_id is not None else self.max_schema_id() + 1
        self.conn.execute(
            "INSERT INTO schemas (id, fingerprint, schema_type, text, refs, guid, metadata, "
            "rule_set, base_fingerprint) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                new_id,
                fingerprint,
                schema_type,
                text,
                json.dumps(refs),
                guid,
                None if metadata is None else json.dumps(metadata),
                None if rule_set is None else json.dumps(rule_set),
                base_fingerprint or fingerprint,
            ),
        )
        self.conn.executemany(
            "INSERT INTO refs (schema_id, subject, version) VALUES (?,?,?)",
            [(new_id, r["subject"], r["version"]) for r in refs],
        )
        return new_id

    # versions
    def versions(self, subject: str, include_deleted: bool = False) -> list[VersionRow]:
        sql = "SELECT subject, version, schema_id, deleted FROM versions WHERE subject=?"
        if not include_deleted:
            sql += " AND deleted=0"
        rows = self.conn.execute(sql + " ORDER BY version", (subject,)).fetchall()
        return [VersionRow(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def version(self, subject: str, version: int) -> VersionRow | None:
        r = self._one(
            "SELECT subject, version, schema_id, deleted FROM versions "
            "WHERE subject=? AND version=?",
            subject,
            version,
        )
        return VersionRow(r[0], r[1], r[2], bool(r[3])) if r else None

    def all_versions(self, prefix: str = "", include_deleted: bool = False) -> list[VersionRow]:
        sql = (
            "SELECT subject, version, schema_id, deleted FROM versions "
            "WHERE substr(subject, 1, ?)=?"
        )
        if not include_deleted:
            sql += " AND deleted=0"
        rows = self.conn.execute(
            sql + " ORDER BY subject, version", (len(prefix), prefix)
        ).fetchall()
        return [VersionRow(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def versions_by_schema(self, schema_id: int, include_deleted: bool = False) -> list[VersionRow]:
        sql = "SELECT subject, version, schema_id, deleted FROM versions WHERE schema_id=?"
        if not include_deleted:
            sql += " AND deleted=0"
        rows = self.conn.execute(sql + " ORDER BY subject, version", (schema_id,)).fetchall()
        return [VersionRow(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def subjects(
        self, prefix: str = "", include_deleted: bool = False, deleted_only: bool = False
    ) -> list[str]:
        live = "MAX(CASE WHEN deleted=0 THEN 1 ELSE 0 END)"
        having = f"{live}=1"
        if include_deleted:
            having = "1=1"
        if deleted_only:
            having = f"{live}=0"
        rows = self.conn.execute(
            "SELECT subject FROM versions WHERE substr(subject, 1, ?)=? GROUP BY subject "
            f"HAVING {having} ORDER BY subject",
            (len(prefix), prefix),
        ).fetchall()
        return [r[0] for r in rows]

    def next_version(self, subject: str) -> int:
        return int(
            self._one(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE subject=?", subject
            )[0]
        )

    def insert_version(self, subject: str, version: int, schema_id: int) -> None:
        self.conn.execute(
            "INSERT INTO versions (subject, version, schema_id, deleted) VALUES (?,?,?,0)",
            (subject, version, schema_id),
        )

    def soft_delete(self, subject: str, version: int) -> None:
        self.conn.execute(
            "UPDATE versions SET deleted=1 WHERE subject=? AND version=?", (subject, version)
        )

    def hard_delete(self, subject: str, version: int) -> None:
        self.conn.execute("DELETE FROM versions WHERE subject=? AND version=?", (subject, version))

    def referenced_by(self, subject: str, version: int, include_deleted: bool = False) -> list[int]:
        """Ids of schemas that reference subject/version and are still registered somewhere
        (with `include_deleted`: also those only soft-deleted versions use)."""
        live = "" if include_deleted else " AND v.deleted=0"
        rows = self.conn.execute(
            "SELECT DISTINCT r.schema_id FROM refs r WHERE r.subject=? AND r.version=? AND EXISTS "
            f"(SELECT 1 FROM versions v WHERE v.schema_id=r.schema_id{live}) ORDER BY 1",
            (subject, version),
        ).fetchall()
        return [r[0] for r in rows]

    # config and mode (subject GLOBAL = "" is the global row)
    def get_setting(self, table: str, subject: str) -> str | None:
        column = "compatibility" if table == "config" else "mode"
        row = self._one(f"SELECT {column} FROM {table} WHERE subject=?", subject)
        return row[0] if row else None

    def set_setting(self, table: str, subject: str, value: str) -> None:
        column = "compatibility" if table == "config" else "mode"
        self.conn.execute(
            f"INSERT INTO {table} (subject, {column}) VALUES (?, ?) "
            f"ON CONFLICT(subject) DO UPDATE SET {column}=excluded.{column}",
            (subject, value),
        )

    def delete_setting(self, table: str, subject: str) -> None:
        self.conn.execute(f"DELETE FROM {table} WHERE subject=?", (subject,))


class Storage:
    def __init__(self, data_dir: Path | None = None, database_url: str = "") -> None:
        """SQLite under `data_dir`, or PostgreSQL at `database_url` (schema `registry`), which
        several registry processes may serve at once."""
        if database_url:
            self.db = open_database(database_url, schema="registry", pool_size=16, name="registry")
            self.shared = True  # other processes write to it too: caches check the generation
        else:
            if data_dir is None:
                raise ValueError("a data dir or a database URL")
            data_dir.mkdir(parents=True, exist_ok=True)
            self.path = data_dir / "registry.sqlite3"
            legacy = sqlite3.connect(self.path)
            try:
                _migrate(legacy)
                legacy.commit()
            finally:
                legacy.close()
            self.db = SqliteDatabase(self.path)
            self.shared = False  # one process per data dir: its cache is told of every write
        self._write_lock = threading.Lock()
        apply_migrations(self.db, {"registry": MIGRATIONS})

    def reader(self) -> Tx:
        return Tx(self.db.reader(), self.db.dialect.name)

    @contextmanager
    def writer(self) -> Iterator[Tx]:
        with self._write_lock, self.db.transaction(lock="registry-writes") as conn:
            yield Tx(conn, self.db.dialect.name)
            conn.execute("UPDATE store_generation SET value = value + 1 WHERE id = 1")

    def generation(self) -> int:
        """How many write transactions the store has committed (from any process)."""
        row = self.db.reader().execute("SELECT value FROM store_generation WHERE id = 1")
        return int(row.fetchone()[0])

    def close(self) -> None:
        self.db.close()
