"""The PostgreSQL side of the store seam: the project's SQL runs unchanged, each service sees only
its own schema, two instances handling one message do it once, and a database that goes away is a
transient failure that heals, never a crash."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest

from dbkit import DatabaseUnavailable, open_database
from services.payment import store as payment_store
from services.runtime.app import ServiceApp
from services.runtime.messages import Incoming
from services.runtime.processor import Outcome, Retry, RetryPolicy
from services.runtime.settings import Settings
from services.runtime.store import open_store
from stack.postgres import PostgresServer, start_postgres
from stack.process import free_port
from tests.runtime_fakes import FlakyHandler, make_processor

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


def test_the_projects_sql_runs_unchanged(pg_url: str) -> None:
    db = open_store(pg_url, "svc")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO outbox (topic, key, value, event_id) VALUES (?, ?, ?, ?)",
            ("t", b"\x00\xff", b"v", "what?"),
        )
        cur = conn.execute("UPDATE outbox SET topic = ? WHERE event_id = ?", ("u", "what?"))
        assert cur.rowcount == 1
        row = conn.execute(
            "SELECT id, key, topic, '100%' AS pct, 'a ? b' AS q FROM outbox WHERE event_id LIKE ?",
            ("wh%",),
        ).fetchone()
    assert (row[1], row["topic"], row["pct"], row["q"]) == (b"\x00\xff", "u", "100%", "a ? b")
    assert dict(row)["topic"] == "u" and list(row.keys())[0] == "id"
    assert [r["topic"] for r in db.query("SELECT topic FROM outbox")] == ["u"]
    db.close()


def test_each_service_sees_only_its_own_schema(pg_url: str) -> None:
    payment = open_store(pg_url, "payment", payment_store.MIGRATIONS)
    other = open_store(pg_url, "shipping")
    with payment.transaction() as conn:
        conn.execute(
            "INSERT INTO runtime_meta (key, value) VALUES (?, ?)", ("kafka.cluster_id", "x")
        )
    assert other.query("SELECT COUNT(*) FROM runtime_meta")[0][0] == 0  # its own inbox/outbox
    with pytest.raises(Exception, match='relation "charges" does not exist'):
        other.query("SELECT * FROM charges")
    schemas = {
        r[0]
        for r in payment.query(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'outbox'"
        )
    }
    assert schemas == {"payment", "shipping"}
    payment.close()
    other.close()


class SlowHandler(FlakyHandler):
    def __call__(self, event: object, uow: object) -> None:
        time.sleep(0.3)  # long enough for the other instance to arrive meanwhile
        super().__call__(event, uow)  # type: ignore[arg-type]


def test_two_instances_handling_one_message_handle_it_once(
    db_target: str | Path, tmp_path: Path
) -> None:
    handler = SlowHandler()
    retry = RetryPolicy(5, 0.01, 0.02)
    first, _ = make_processor(tmp_path, ["t"], handler, retry, target=db_target)
    second, _ = make_processor(tmp_path, ["t"], handler, retry, target=db_target)
    msg = Incoming("t", 0, 0, b"order-1", b"evt-1", 0, [])
    outcomes: list[Outcome | Retry] = []
    threads = [
        threading.Thread(target=lambda p=p: outcomes.append(p.process_once(msg)))
        for p in (first, second)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o.value for o in outcomes if isinstance(o, Outcome)) == [
        "duplicate",
        "handled",
    ]
    assert handler.handled == ["evt-1"]


def test_a_database_that_goes_away_is_retried_then_heals(tmp_path: Path) -> None:
    server = start_postgres(tmp_path / "pg.log")  # a server of its own: this test stops it
    try:
        url = server.create_database("flaky")
        handler = FlakyHandler()
        processor, _ = make_processor(
            tmp_path, ["t"], handler, RetryPolicy(50, 0.01, 0.02), target=url, db_timeout_s=1
        )
        assert processor.process_once(Incoming("t", 0, 0, b"k", b"before", 0, [])) is (
            Outcome.HANDLED
        )
        server.process.stop()
        during = Incoming("t", 0, 1, b"k", b"during", 0, [])
        result = processor.process_once(during)
        assert isinstance(result, Retry), result
        assert "database" in result.error or "connection" in result.error
        with pytest.raises(DatabaseUnavailable):
            open_database(url, schema="svc", timeout_s=1).query("SELECT 1")
        server.process.start(60)
        deadline = time.monotonic() + 60
        while isinstance(result, Retry) and time.monotonic() < deadline:
            time.sleep(result.delay_s)
            result = processor.process_once(during, result)
        assert result is Outcome.HANDLED
        assert handler.handled == ["before", "during"]
    finally:
        server.stop()


def test_a_service_waits_for_its_database_then_says_in_one_line_why_it_cannot_start(
    tmp_path: Path,
) -> None:
    nobody = f"postgresql://postgres@127.0.0.1:{free_port()}/gone"
    settings = Settings(data_dir=tmp_path, database_url=nobody, database_timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(SystemExit, match=r"^svc: database unavailable: .*gone"):
        ServiceApp("svc", settings=settings)._open_database(wait_s=2)
    assert time.monotonic() - started >= 2  # it waited (and logged) before giving up
    for url in ("postgresql://h:notaport/db", "postgresql://h/db?bogus=1"):
        bad = Settings(data_dir=tmp_path, database_url=url, database_timeout_s=0.5)
        with pytest.raises(SystemExit, match="^svc: DATABASE_URL / database: not a usable Postgr"):
            ServiceApp("svc", settings=bad)._open_database(wait_s=2)


def test_exhausted_retries_name_the_database(tmp_path: Path) -> None:
    server = start_postgres(tmp_path / "pg.log")
    try:
        url = server.create_database("down")
        processor, sink = make_processor(
            tmp_path, ["t"], FlakyHandler(), RetryPolicy(2, 0.01, 0.02), target=url, db_timeout_s=1
        )
        server.process.stop()
        msg = Incoming("t", 0, 0, b"k", b"lost-db", 0, [])
        first = processor.process_once(msg)
        assert isinstance(first, Retry)
        assert processor.process_once(msg, first) is Outcome.DEAD_LETTERED
        headers = dict(sink.topics["dead_letter_queue"][0].headers)
        assert headers["dlq.error.class"] == b"retries_exhausted:database_unavailable"
    finally:
        server.stop()
