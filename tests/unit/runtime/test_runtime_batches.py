"""A polled batch in one transaction with a savepoint per message: a poison message goes to the DLQ
alone (its writes rolled back, the others committed), a transient failure stops only its own
partition, duplicates inside a batch are dropped, a header filter skips before decoding, and a
transaction that fails as a whole is done again message by message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from dbkit import DatabaseUnavailable
from services.runtime.messages import Incoming
from services.runtime.processor import Outcome, Processor, Retry, RetryPolicy, Subscription
from services.runtime.sinks import MemorySink
from services.runtime.store import Connection, Database, open_store
from services.runtime.unit_of_work import UnitOfWork
from tests.runtime_fakes import FlakyHandler, Ping, PlainSerde


def msg(value: str, partition: int = 0, offset: int = 0, headers: Any = ()) -> Incoming:
    return Incoming("t", partition, offset, value.encode(), value.encode(), 0, list(headers))


class CountingDatabase:
    """The store, counting the transactions opened (and failing the next commits on demand)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialect = db.dialect
        self.transactions = 0
        self.fail_commits = 0

    @contextmanager
    def transaction(self, lock: str | None = None, locks: Any = ()) -> Iterator[Connection]:
        self.transactions += 1
        with self.db.transaction(lock, locks) as conn:
            yield conn
            if self.fail_commits:
                self.fail_commits -= 1
                raise DatabaseUnavailable("disk went away at commit")

    def savepoint(self, conn: Connection, name: str = "step") -> Any:
        return self.db.savepoint(conn, name)

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        return self.db.query(sql, params)


class PublishingHandler(FlakyHandler):
    """Publishes a Ping for every message *before* failing on demand: a failed message's outbox
    row must not survive its savepoint."""

    def __call__(self, event: Ping, uow: UnitOfWork) -> None:
        uow.publish(Ping.of(f"after-{event.text}"))
        super().__call__(event, uow)


def make(
    tmp_path: Path, handler: FlakyHandler, **sub: Any
) -> tuple[Processor, CountingDatabase, MemorySink]:
    db = CountingDatabase(open_store(tmp_path / "svc.sqlite3", "svc"))
    sink = MemorySink()
    subscription = Subscription(Ping, "t", "g", handler, **sub)
    retry = RetryPolicy(5, 0.01, 0.02)
    processor = Processor("svc", "g", [subscription], cast(Database, db), PlainSerde(), sink, retry)
    return processor, db, sink


def outbox(db: CountingDatabase) -> list[bytes]:
    return [bytes(r["value"]) for r in db.query("SELECT value FROM outbox ORDER BY id")]


def test_a_poison_message_goes_to_the_dlq_alone_and_the_batch_commits(tmp_path: Path) -> None:
    handler = PublishingHandler()
    handler.permanent.add("poison")
    processor, db, sink = make(tmp_path, handler)
    batch = [msg("a", 0, 0), msg("poison", 0, 1), msg("b", 0, 2), msg("c", 1, 0)]
    results = processor.process_batch([(m, None) for m in batch])
    assert [(m.value, r) for m, r in results] == [
        (b"a", Outcome.HANDLED),
        (b"poison", Outcome.DEAD_LETTERED),
        (b"b", Outcome.HANDLED),
        (b"c", Outcome.HANDLED),
    ]
    assert db.transactions == 1
    assert outbox(db) == [b"after-a", b"after-b", b"after-c"]  # the poison's row rolled back
    assert [m.value for m in sink.topics["dead_letter_queue"]] == [b"poison"]
    inbox = db.query("SELECT event_id FROM inbox")
    assert len(inbox) == 3
    assert processor.stats.handled == 3 and processor.stats.dead_lettered == {"permanent": 1}


def test_a_transient_failure_stops_its_partition_only(tmp_path: Path) -> None:
    handler = PublishingHandler()
    handler.transient.add("stuck")
    processor, db, _ = make(tmp_path, handler)
    batch = [msg("a", 0, 0), msg("stuck", 0, 1), msg("after", 0, 2), msg("b", 1, 0)]
    results = processor.process_batch([(m, None) for m in batch])
    assert [m.value for m, _ in results] == [b"a", b"stuck", b"b"]  # "after" waits behind
    assert isinstance(results[1][1], Retry) and results[1][1].attempt == 1
    assert handler.handled == ["a", "b"]
    assert outbox(db) == [b"after-a", b"after-b"]
    assert processor.stats.retrying == {"t[0]@1": 1}


def test_the_same_event_twice_in_one_batch_is_handled_once(tmp_path: Path) -> None:
    handler = FlakyHandler()
    processor, db, _ = make(tmp_path, handler)
    results = processor.process_batch([(msg("a", 0, 0), None), (msg("a", 0, 1), None)])
    assert [r for _, r in results] == [Outcome.HANDLED, Outcome.DUPLICATE]
    assert handler.handled == ["a"]


def test_a_batch_whose_commit_fails_is_done_again_one_message_at_a_time(tmp_path: Path) -> None:
    handler = PublishingHandler()
    processor, db, _ = make(tmp_path, handler)
    db.fail_commits = 1
    batch = [msg("a", 0, 0), msg("b", 0, 1), msg("c", 1, 0)]
    results = processor.process_batch([(m, None) for m in batch])
    assert [r for _, r in results] == [Outcome.HANDLED] * 3
    assert db.transactions == 1 + 3  # the failed batch, then one per message
    assert outbox(db) == [b"after-a", b"after-b", b"after-c"]  # once each: the batch left nothing
    assert processor.stats.handled == 3


def test_a_single_message_whose_commit_fails_is_retried(tmp_path: Path) -> None:
    processor, db, _ = make(tmp_path, FlakyHandler())
    db.fail_commits = 1
    [(_, result)] = processor.process_batch([(msg("a"), None)])
    assert isinstance(result, Retry) and "disk went away" in result.error
    assert processor.process_once(msg("a"), result) is Outcome.HANDLED


def test_an_unreachable_dlq_holds_the_poison_and_what_follows_on_its_partition(
    tmp_path: Path,
) -> None:
    handler = FlakyHandler()
    handler.permanent.add("poison")
    processor, db, sink = make(tmp_path, handler)

    def broken_flush() -> None:
        raise ConnectionError("broker away")

    sink.flush = broken_flush  # type: ignore[method-assign]
    batch = [msg("poison", 0, 0), msg("next", 0, 1), msg("other", 1, 0)]
    results = processor.process_batch([(m, None) for m in batch])
    assert [m.value for m, _ in results] == [b"poison", b"other"]
    held = results[0][1]
    assert isinstance(held, Retry) and held.attempt == 0 and "broker away" in held.error
    assert results[1][1] is Outcome.HANDLED
    assert processor.stats.dead_lettered == {}


def test_a_header_filter_skips_before_decoding(tmp_path: Path) -> None:
    handler = FlakyHandler()
    processor, _, _ = make(
        tmp_path, handler, accepts_header=("channel", "EMAIL"), accepts=lambda p: "mail" in p.text
    )
    decoded: list[bytes | None] = []
    serde = processor.serde
    assert isinstance(serde, PlainSerde)

    def deserialize(data: bytes | None, topic: str) -> Ping:
        decoded.append(data)
        return PlainSerde().deserialize(data, topic)

    serde.deserialize = deserialize  # type: ignore[method-assign]
    batch = [
        msg("sms-1", 0, 0, [("channel", b"SMS")]),
        msg("mail-1", 0, 1, [("channel", b"EMAIL")]),
        msg("mail-2", 0, 2),  # no header: decoded, judged by `accepts`
        msg("sms-2", 0, 3),
    ]
    results = processor.process_batch([(m, None) for m in batch])
    assert [r for _, r in results] == [
        Outcome.SKIPPED,
        Outcome.HANDLED,
        Outcome.HANDLED,
        Outcome.SKIPPED,
    ]
    assert decoded == [b"mail-1", b"mail-2", b"sms-2"]  # never sms-1
    assert handler.handled == ["mail-1", "mail-2"]
