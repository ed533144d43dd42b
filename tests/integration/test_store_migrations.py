"""Versioned migrations on both engines: a database made by step 1 upgrades in place to the latest
(its data kept, its pending outbox rows still published), instances starting together apply each
step once, a database newer than the code is refused, and every service's steps apply."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from dbkit import Migration, MigrationError, open_database
from services.declarations import build_apps
from services.payment import store as payment_store
from services.runtime.outbox import OutboxRelay
from services.runtime.sinks import MemorySink
from services.runtime.store import RUNTIME_MIGRATIONS, open_store

pytestmark = pytest.mark.integration
LATEST_RUNTIME = [("runtime", step.version) for step in RUNTIME_MIGRATIONS]


def versions(target: str | Path, service: str) -> list[tuple[str, int]]:
    db = open_database(target, schema=service)
    try:
        rows = db.query("SELECT component, version FROM schema_migrations ORDER BY 1, 2")
        return [(r[0], r[1]) for r in rows]
    finally:
        db.close()


def test_a_step_1_database_upgrades_in_place_and_keeps_its_data(db_target: str | Path) -> None:
    old = open_store(db_target, "payment", payment_store.MIGRATIONS, up_to={"runtime": 1})
    with old.transaction() as conn:  # what the service wrote before the upgrade
        conn.execute(
            "INSERT INTO outbox (topic, key, value, event_id) VALUES (?, ?, ?, ?)",
            ("order_paid", b"order-1", b"\x00bytes", "e-1"),
        )
        conn.execute(
            "INSERT INTO inbox (consumer_group, event_id, topic) VALUES (?, ?, ?)",
            ("payment", "seen-1", "order_created"),
        )
    old.close()
    assert versions(db_target, "payment") == [("payment", 1), ("runtime", 1)]

    db = open_store(db_target, "payment", payment_store.MIGRATIONS)
    assert versions(db_target, "payment") == [("payment", 1), *LATEST_RUNTIME]
    row = db.query("SELECT event_id, leased_by, headers, published_at FROM outbox")[0]
    assert (row["event_id"], row["leased_by"], row["headers"], row["published_at"]) == (
        "e-1",
        None,
        None,
        None,
    )
    assert db.query("SELECT event_id FROM inbox")[0][0] == "seen-1"
    sink = MemorySink()
    assert OutboxRelay(db, sink).relay() == 1  # the old pending row goes out after the upgrade
    [sent] = sink.topics["order_paid"]
    assert (sent.value, sent.headers) == (b"\x00bytes", [("event_id", b"e-1")])
    db.close()


def test_instances_starting_together_apply_each_step_once(db_target: str | Path) -> None:
    opened: list[object] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            opened.append(open_store(db_target, "payment", payment_store.MIGRATIONS))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert versions(db_target, "payment") == [("payment", 1), *LATEST_RUNTIME]
    for db in opened:
        db.close()  # type: ignore[attr-defined]


def test_a_database_newer_than_the_code_is_refused(db_target: str | Path) -> None:
    newer = (
        Migration(1, "t", "CREATE TABLE t (x INTEGER)"),
        Migration(2, "u", "CREATE TABLE u (y INTEGER)"),
    )
    open_store(db_target, "svc", newer).close()
    with pytest.raises(MigrationError, match="svc is at migration 2, this code knows only 1"):
        open_store(db_target, "svc", newer[:1])


def test_steps_must_be_numbered_from_one() -> None:
    with pytest.raises(MigrationError, match="numbered 1..n"):
        open_store(":memory:", "svc", (Migration(2, "late", "SELECT 1"),))


def test_every_services_steps_apply(db_target: str | Path) -> None:
    for name, app in build_apps().items():
        open_store(db_target, name, app.migrations).close()
        assert (name, len(app.migrations)) in versions(db_target, name)
        assert ("runtime", len(RUNTIME_MIGRATIONS)) in versions(db_target, name)


def test_a_sqlite_file_from_before_migrations_is_adopted(tmp_path: Path) -> None:
    """Files written by the code before versioned migrations: tables, no migrations table."""
    path = tmp_path / "payment.sqlite3"
    legacy = sqlite3.connect(path)
    legacy.executescript(
        RUNTIME_MIGRATIONS[0].script("sqlite")
        + payment_store.SCHEMA
        + "INSERT INTO outbox (topic, key, value, event_id) VALUES ('t', x'6b', x'76', 'old');"
    )
    legacy.close()
    db = open_store(path, "payment", payment_store.MIGRATIONS)
    assert OutboxRelay(db, MemorySink()).relay() == 1
    db.close()
