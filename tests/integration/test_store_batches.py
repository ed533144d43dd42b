"""Batches on both engines: a savepoint fails alone and the transaction goes on (also after an
error PostgreSQL aborts on), a transaction holding several key locks keeps every one of them until
it commits, two instances taking overlapping key sets in opposite orders never deadlock, and a
batch processed by one instance excludes the other instance's work on the same keys."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from dbkit import DatabaseUnavailable
from services.runtime.messages import Incoming
from services.runtime.processor import Outcome, Result, RetryPolicy
from services.runtime.store import Database, open_store
from tests.runtime_fakes import FlakyHandler, Ping, make_processor

pytestmark = pytest.mark.integration


def test_a_failed_savepoint_rolls_back_alone(db_target: str | Path) -> None:
    db = open_store(db_target, "svc")
    with db.transaction() as conn:
        conn.execute("INSERT INTO runtime_meta (key, value) VALUES (?, ?)", ("a", "1"))
        with pytest.raises(Exception, match="(?i)unique|duplicate"), db.savepoint(conn):
            conn.execute("INSERT INTO runtime_meta (key, value) VALUES (?, ?)", ("b", "2"))
            conn.execute("INSERT INTO runtime_meta (key, value) VALUES (?, ?)", ("a", "3"))
        with db.savepoint(conn):  # the transaction is usable again (PostgreSQL had aborted it)
            conn.execute("INSERT INTO runtime_meta (key, value) VALUES (?, ?)", ("c", "4"))
    rows = db.query("SELECT key, value FROM runtime_meta ORDER BY key")
    assert [(r["key"], r["value"]) for r in rows] == [("a", "1"), ("c", "4")]
    db.close()


def test_every_lock_of_a_transaction_is_held_until_it_commits(db_target: str | Path) -> None:
    db = open_store(db_target, "svc")
    holding, release = threading.Event(), threading.Event()

    def batch() -> None:
        with db.transaction(locks={"key:a", "key:b", "key:c"}):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=batch)
    holder.start()
    assert holding.wait(10)
    got: list[str] = []

    def single(name: str) -> None:
        with db.transaction(lock=name):
            got.append(name)

    waiters = [threading.Thread(target=single, args=(n,)) for n in ("key:b", "key:c")]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.5)
    assert got == []  # both wait for the batch
    release.set()
    holder.join(10)
    for waiter in waiters:
        waiter.join(10)
    assert sorted(got) == ["key:b", "key:c"]
    db.close()


def test_overlapping_lock_sets_in_opposite_orders_never_deadlock(db_target: str | Path) -> None:
    first, second = open_store(db_target, "svc"), open_store(db_target, "svc")
    names = [f"key:{i}" for i in range(20)]
    errors: list[Exception] = []

    def run(db: Database, order: list[str]) -> None:
        for _ in range(30):
            try:
                with db.transaction(locks=order) as conn:
                    conn.execute("SELECT 1")
                    time.sleep(0.001)
            except Exception as exc:  # a deadlock would surface here as DatabaseConflict
                errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(first, names)),
        threading.Thread(target=run, args=(second, names[::-1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    first.close()
    second.close()


class GatedHandler(FlakyHandler):
    """Blocks on `gate` while handling "slow" (the batch's transaction stays open)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = threading.Event()
        self.gate = threading.Event()

    def __call__(self, event: Ping, uow: object) -> None:
        if event.text == "slow":
            self.inside.set()
            assert self.gate.wait(10)
        super().__call__(event, uow)  # type: ignore[arg-type]


def test_a_batch_holds_each_of_its_keys_against_another_instance(
    db_target: str | Path, tmp_path: Path
) -> None:
    handler = GatedHandler()
    retry = RetryPolicy(5, 0.01, 0.02)
    first, _ = make_processor(tmp_path, ["t"], handler, retry, target=db_target)
    second, _ = make_processor(tmp_path, ["t"], handler, retry, target=db_target)
    # first's batch: "early" on key k1, then "slow" on key k2 (held open at the gate)
    batch = [
        Incoming("t", 0, 0, b"k1", b"early", 0, []),
        Incoming("t", 1, 0, b"k2", b"slow", 0, []),
    ]
    results: list[Result] = []
    worker = threading.Thread(
        target=lambda: results.extend(first.process_batch([(m, None) for m in batch]))
    )
    worker.start()
    assert handler.inside.wait(10)
    # the other instance (a rebalance handed it partition 0) gets "late" on key k1
    late: list[object] = []
    other = threading.Thread(
        target=lambda: late.append(second.process_once(Incoming("t", 0, 1, b"k1", b"late", 0, [])))
    )
    other.start()
    time.sleep(0.5)
    assert "late" not in handler.handled  # it waits for k1, which the open batch holds
    handler.gate.set()
    worker.join(10)
    other.join(10)
    assert [r for _, r in results] == [Outcome.HANDLED, Outcome.HANDLED]
    assert late == [Outcome.HANDLED]
    assert handler.handled == ["early", "slow", "late"]  # k1's events in their order


def test_a_database_gone_mid_batch_leaves_nothing_half_done(tmp_path: Path) -> None:
    from stack.postgres import start_postgres

    server = start_postgres(tmp_path / "pg.log")
    try:
        url = server.create_database("gone")
        handler = GatedHandler()
        processor, _ = make_processor(
            tmp_path, ["t"], handler, RetryPolicy(50, 0.01, 0.02), target=url, db_timeout_s=1
        )
        batch = [
            Incoming("t", 0, 0, b"k1", b"first", 0, []),
            Incoming("t", 0, 1, b"k1", b"slow", 0, []),
            Incoming("t", 1, 0, b"k2", b"other", 0, []),
        ]
        results: list[Result] = []
        worker = threading.Thread(
            target=lambda: results.extend(processor.process_batch([(m, None) for m in batch]))
        )
        worker.start()
        assert handler.inside.wait(10)
        server.process.stop()  # mid-transaction
        handler.gate.set()
        worker.join(30)
        # nothing committed: one by one, the first message of each partition waits for a retry
        assert [(m.value, type(r).__name__) for m, r in results] == [
            (b"first", "Retry"),
            (b"other", "Retry"),
        ]
        with pytest.raises(DatabaseUnavailable):
            processor.db.query("SELECT 1")
    finally:
        server.stop()


def test_a_transaction_that_need_not_be_durable_commits_and_leaves_the_next_durable(
    db_target: str | Path,
) -> None:
    db = open_store(db_target, "svc")
    setting = "SHOW synchronous_commit" if db.dialect.name == "postgresql" else "PRAGMA synchronous"
    durable_value = {"postgresql": "on", "sqlite": 2}[db.dialect.name]
    with db.transaction(durable=False) as conn:
        assert conn.execute(setting).fetchone()[0] != durable_value  # no wait for the disk
        conn.execute("INSERT INTO runtime_meta (key, value) VALUES (?, ?)", ("lease", "x"))
    with db.transaction() as conn:
        assert conn.execute(setting).fetchone()[0] == durable_value
    assert db.query("SELECT value FROM runtime_meta WHERE key = ?", ("lease",))[0][0] == "x"
    db.close()
