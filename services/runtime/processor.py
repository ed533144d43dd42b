"""One consumer group's messages, a polled batch at a time: filter, decode, drop duplicates, run
the handlers in one database transaction, decide retry (with backoff) or dead letter for what fails.

A batch goes in three steps:

1. outside any transaction, message by message: the subscription's header filter (before
   decoding), the decode, its `accepts` filter and its `wait`;
2. one transaction that first takes the lock of every message's key (the order id: all of them
   together, in one fixed order, so two instances never deadlock on them), then per message a
   savepoint holding its inbox row and its handler's writes: a message that fails is rolled back
   to its savepoint alone, and the batch's others commit together (one fsync on SQLite);
3. after the commit: the batch's dead letters, sent with one flush.

A message that must be retried stops its partition for the rest of the batch (offsets never move
past it): the messages after it get no result and are fetched again once it is through; the
batch's other partitions go on.  If the transaction fails as a whole (the database went away, the
commit was refused), none of it happened: each message is then done again on its own.

Kafka-free: `process_batch` returns each message's `Outcome` or a `Retry` (when to try again); the
Kafka loop (`consumer.py`) pauses just that partition until then, while `process` (the in-memory
test bus) waits on its own thread.  `process_once` is a batch of one, with the attempts so far.
"""

from __future__ import annotations

import datetime
import enum
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pydantic

from dbkit import Connection, DatabaseUnavailable, TransientDatabaseError
from services.events import Event
from services.runtime.dlq import Failure, queue_for_dlq
from services.runtime.errors import PermanentError, ProcessingError, ValidationFailedError
from services.runtime.logging import bind_message_context, get_logger, reset_message_context
from services.runtime.messages import Incoming
from services.runtime.metrics import GroupStats
from services.runtime.serde import Codec
from services.runtime.sinks import Sink
from services.runtime.store import Database
from services.runtime.unit_of_work import UnitOfWork, now_utc

E = TypeVar("E", bound=Event)
Handler = Callable[[E, UnitOfWork], None]
"""A handler of events of class E: a plain function of (event, unit of work)."""


@dataclass(frozen=True)
class Subscription(Generic[E]):
    event_type: type[E]
    topic: str
    group: str
    handler: Handler[E]
    # Which of the topic's events are this group's; the others are skipped before any
    # transaction (no inbox row, no handler call) and their offsets committed like the rest.
    accepts: Callable[[E], bool] | None = None
    # Seconds to wait before handling an event (a simulated delay), waited outside any
    # transaction so that the database stays free for the service's other work meanwhile.
    wait: Callable[[E], float] | None = None
    # (header, value): a message carrying `header` with another value is skipped before it is
    # even decoded; one without the header is decoded and judged by `accepts`.
    accepts_header: tuple[str, str] | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter and a cap (delay = uniform(0, min(cap, base*2^n)))."""

    max_attempts: int = 5
    base_delay_s: float = 0.2
    max_delay_s: float = 5.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))


class _Stopping(Exception):
    """Stopped while waiting to handle a message: leave it for the next run."""


class Outcome(enum.Enum):
    HANDLED = "handled"
    SKIPPED = "skipped"  # refused by the subscription's filters: nothing to do here
    DUPLICATE = "duplicate"
    DEAD_LETTERED = "dead_lettered"
    ABANDONED = "abandoned"  # stopping mid-retry: not committed, redelivered later


@dataclass(frozen=True)
class Retry:
    """A transient failure with attempts left: try again after `delay_s`."""

    attempt: int  # attempts made so far
    first_failure: datetime.datetime
    delay_s: float
    error: str


Result = tuple[Incoming, Outcome | Retry]


class _Work:
    """One message on its way through a batch."""

    __slots__ = ("elapsed", "event", "msg", "prior", "result")

    def __init__(self, msg: Incoming, prior: Retry | None) -> None:
        self.msg = msg
        self.prior = prior
        self.event: Event | None = None
        # None while still to be handled; a Failure is dead-lettered after the commit
        self.result: Outcome | Retry | Failure | None = None
        self.elapsed = 0.0

    @property
    def partition(self) -> tuple[str, int]:
        return (self.msg.topic, self.msg.partition)

    @property
    def where(self) -> str:
        return f"{self.msg.topic}[{self.msg.partition}]@{self.msg.offset}"


class Processor:
    def __init__(
        self,
        service: str,
        group: str,
        subscriptions: Sequence[Subscription[Any]],  # of any event classes, one per topic
        db: Database,
        serde: Codec,
        dlq_sink: Sink,
        retry: RetryPolicy,
        stop: threading.Event | None = None,
    ) -> None:
        self.service = service
        self.group = group
        self.by_topic = {s.topic: s for s in subscriptions}
        self.db = db
        self.serde = serde
        self.dlq_sink = dlq_sink
        self.retry = retry
        self.stop = stop or threading.Event()
        self.stats = GroupStats()
        self.log = get_logger(group=group)

    # -- entry points ------------------------------------------------------------------------

    def process_batch(self, items: Sequence[tuple[Incoming, Retry | None]]) -> list[Result]:
        """Each message (with the attempts made so far, if any) through the three steps; the
        results in message order, leaving out what follows a `Retry` on its partition."""
        works: list[_Work] = []
        stopped: set[tuple[str, int]] = set()  # partitions whose rest waits for a retry
        for msg, prior in items:
            work = _Work(msg, prior)
            if work.partition in stopped:
                continue
            self._prepare(work)
            works.append(work)
            if isinstance(work.result, Retry):
                stopped.add(work.partition)
        pending = [w for w in works if w.result is None]
        if pending:
            try:
                self._handle_all(pending, stopped)
            except Exception as exc:  # the transaction as a whole: nothing of it happened
                if len(items) > 1:
                    self.log.warning("batch transaction failed; one by one", error=str(exc)[:300])
                    return self._one_by_one(items)
                works[0].result = self._sorted(works[0], exc)
        return self._finish(works)

    def process_once(self, msg: Incoming, prior: Retry | None = None) -> Outcome | Retry:
        """One attempt at one message: an outcome, or a `Retry` saying when to try again."""
        [(_, result)] = self.process_batch([(msg, prior)])
        return result

    def process(self, msg: Incoming) -> Outcome:
        """Blocking form (the in-memory bus): wait out each backoff on this thread."""
        prior: Retry | None = None
        while True:
            result = self.process_once(msg, prior)
            if isinstance(result, Outcome):
                return result
            prior = result
            if self.stop.wait(result.delay_s):
                self.stats.retrying.pop(f"{msg.topic}[{msg.partition}]@{msg.offset}", None)
                return Outcome.ABANDONED

    # -- the three steps -----------------------------------------------------------------------

    def _prepare(self, work: _Work) -> None:
        """Step 1, outside any transaction: filters, decode, wait."""
        started = time.perf_counter()
        msg = work.msg
        sub = self.by_topic[msg.topic]
        if sub.accepts_header is not None:
            name, wanted = sub.accepts_header
            value = msg.header(name)
            if value is not None and value != wanted.encode():
                work.result = Outcome.SKIPPED
                return
        try:
            event = self.serde.deserialize(msg.value, msg.topic)
            if sub.accepts is not None and not sub.accepts(event):
                work.result = Outcome.SKIPPED
                return
            if sub.wait is not None:
                delay = sub.wait(event)
                if delay > 0 and self.stop.wait(delay):
                    raise _Stopping
            work.event = event
        except _Stopping:  # not a failure: the message stays uncommitted, redelivered later
            first = work.prior.first_failure if work.prior else now_utc()
            attempts = work.prior.attempt if work.prior else 0
            work.result = Retry(attempts, first, 0.0, "stopping")
        except Exception as exc:  # sorted: permanent, transient, or unknown
            work.result = self._sorted(work, exc)
        work.elapsed += time.perf_counter() - started

    def _handle_all(self, works: list[_Work], stopped: set[tuple[str, int]]) -> None:
        """Step 2: one transaction holding every message's key lock; a savepoint per message."""
        locks = {_lock_name(w.msg, w.event) for w in works if w.event is not None}
        with self.db.transaction(locks=locks) as conn:
            for work in works:
                if work.partition in stopped:
                    continue
                started = time.perf_counter()
                assert work.event is not None
                context = bind_message_context(work.event.metadata.correlation_id)
                try:
                    with self.db.savepoint(conn, "message"):
                        work.result = self._handle(conn, work.event, work.msg.topic)
                except DatabaseUnavailable:
                    raise  # the connection or the file is gone: so is the whole transaction
                except Exception as exc:  # this message alone; the others go on
                    work.result = self._sorted(work, exc)
                    if isinstance(work.result, Retry):
                        stopped.add(work.partition)
                finally:
                    reset_message_context(context)
                work.elapsed += time.perf_counter() - started

    def _handle(self, conn: Connection, event: Event, topic: str) -> Outcome:
        event_id = str(event.metadata.event_id)
        # The inbox row first: a duplicate is known by it; a handler that fails takes it back.
        recorded = conn.execute(
            "INSERT INTO inbox (consumer_group, event_id, topic) VALUES (?, ?, ?)"
            " ON CONFLICT (consumer_group, event_id) DO NOTHING",
            (self.group, event_id, topic),
        ).rowcount
        if not recorded:
            return Outcome.DUPLICATE
        sub = self.by_topic[topic]
        try:
            sub.handler(event, UnitOfWork(conn, self.serde, self.service, event))
        except pydantic.ValidationError as exc:
            raise ValidationFailedError(f"{sub.handler.__name__}: {exc}") from exc
        return Outcome.HANDLED

    def _finish(self, works: list[_Work]) -> list[Result]:
        """Step 3, after the commit: dead letters out (one flush), then results and counts."""
        kept = _up_to_first_retry(works)
        letters = [w for w in kept if isinstance(w.result, Failure)]
        if letters:
            self._dead_letter(letters)
            kept = _up_to_first_retry(kept)  # an unreachable DLQ turned some into retries
        results: list[Result] = []
        for work in kept:
            result = work.result
            assert isinstance(result, Outcome | Retry)
            self._count(work, result)
            results.append((work.msg, result))
        return results

    def _one_by_one(self, items: Sequence[tuple[Incoming, Retry | None]]) -> list[Result]:
        results: list[Result] = []
        stopped: set[tuple[str, int]] = set()
        for msg, prior in items:
            if (msg.topic, msg.partition) in stopped:
                continue
            result = self.process_once(msg, prior)
            results.append((msg, result))
            if isinstance(result, Retry):
                stopped.add((msg.topic, msg.partition))
        return results

    # -- failures ------------------------------------------------------------------------------

    def _sorted(self, work: _Work, exc: Exception) -> Retry | Failure:
        """A failed attempt: retried later (transient, attempts left) or dead-lettered."""
        prior = work.prior
        attempt = (prior.attempt if prior else 0) + 1
        first_failure = prior.first_failure if prior else now_utc()
        permanent = isinstance(exc, PermanentError)
        if permanent or attempt >= self.retry.max_attempts:
            error_class = _error_class(exc, exhausted=not permanent)
            return Failure(error_class, str(exc), attempt, first_failure, now_utc())
        return Retry(attempt, first_failure, self.retry.delay(attempt), str(exc))

    def _dead_letter(self, letters: list[_Work]) -> None:
        """Send every letter, then one flush; if the DLQ does not take them, hold them all."""
        try:
            for work in letters:
                assert isinstance(work.result, Failure)
                queue_for_dlq(self.dlq_sink, work.msg, self.service, self.group, work.result)
            self.dlq_sink.flush()
        except Exception as exc:  # the DLQ is unreachable too: retry them later
            self.log.warning("dead letter queue unreachable", error=str(exc)[:300])
            for work in letters:
                assert isinstance(work.result, Failure)
                failed = work.result
                delay = self.retry.delay(min(failed.attempts, self.retry.max_attempts))
                work.result = Retry(failed.attempts - 1, failed.first_failure, delay, str(exc))
            return
        for work in letters:
            assert isinstance(work.result, Failure)
            failure, work.result = work.result, Outcome.DEAD_LETTERED
            self.stats.dead_lettered[failure.error_class] += 1
            self.log.error(
                "dead-lettered",
                topic=work.msg.topic,
                partition=work.msg.partition,
                offset=work.msg.offset,
                error_class=failure.error_class,
                attempts=failure.attempts,
                reason=failure.message[:500],
            )

    def _count(self, work: _Work, result: Outcome | Retry) -> None:
        stats = self.stats
        if isinstance(result, Retry):
            if result.error != "stopping":
                stats.retrying[work.where] = result.attempt
                self.log.warning(
                    "retrying",
                    topic=work.msg.topic,
                    partition=work.msg.partition,
                    offset=work.msg.offset,
                    attempt=result.attempt,
                    delay_s=round(result.delay_s, 3),
                    error=result.error[:300],
                )
            return
        if stats.retrying:
            stats.retrying.pop(work.where, None)
        if result is Outcome.HANDLED:
            stats.handled += 1
            stats.latency.observe(work.elapsed)
        elif result is Outcome.DUPLICATE:
            stats.duplicates += 1
        elif result is Outcome.SKIPPED:
            stats.skipped += 1


def _up_to_first_retry(works: list[_Work]) -> list[_Work]:
    """Works in order, leaving out those after a `Retry` on their partition."""
    kept, stopped = [], set()
    for work in works:
        if work.partition in stopped:
            continue
        kept.append(work)
        if isinstance(work.result, Retry):
            stopped.add(work.partition)
    return kept


def _lock_name(msg: Incoming, event: Event) -> str:
    return f"key:{msg.key.hex()}" if msg.key else f"event:{event.metadata.event_id}"


def _error_class(exc: Exception, exhausted: bool) -> str:
    if isinstance(exc, ProcessingError | TransientDatabaseError):
        name = exc.error_class
    elif isinstance(exc, sqlite3.OperationalError):
        name = "database_unavailable"
    else:
        name = f"unexpected:{type(exc).__name__}"
    return f"retries_exhausted:{name}" if exhausted else name
