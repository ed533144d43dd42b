"""One consumed message through one consumer group: decode, drop duplicates, run the handler in a
unit of work, decide retry (with backoff) or dead letter for what fails.

Kafka-free: `process_once` makes one attempt and returns an `Outcome` or a `Retry` (when to try
again); the Kafka loop (`consumer.py`) pauses just that partition until then, while `process` (the
in-memory test bus) waits on its own thread.
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

from dbkit import TransientDatabaseError
from services.events import Event
from services.runtime.dlq import Failure, send_to_dlq
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
    SKIPPED = "skipped"  # refused by the subscription's `accepts`: nothing to do here
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
        self._log_context: dict[str, Any] = {}
        self.log = get_logger(group=group)

    def process_once(self, msg: Incoming, prior: Retry | None = None) -> Outcome | Retry:
        """One attempt: an outcome, or a `Retry` saying when to try again (the caller waits).

        Log lines of the attempt carry the event's correlation id (bound once it is decoded)."""
        started = time.perf_counter()
        try:
            result = self._attempt(msg, prior)
        finally:
            if self._log_context:
                reset_message_context(self._log_context)
                self._log_context = {}
        if result is Outcome.HANDLED:
            self.stats.latency.observe(time.perf_counter() - started)
        return result

    def _attempt(self, msg: Incoming, prior: Retry | None) -> Outcome | Retry:
        attempt = (prior.attempt if prior else 0) + 1
        where = f"{msg.topic}[{msg.partition}]@{msg.offset}"
        try:
            outcome = self._handle_once(msg)
        except _Stopping:  # not a failure: the message stays uncommitted, redelivered later
            return Retry(attempt - 1, prior.first_failure if prior else now_utc(), 0.0, "stopping")
        except Exception as exc:  # sorted below: permanent, transient, or unknown
            first_failure = prior.first_failure if prior else now_utc()
            permanent = isinstance(exc, PermanentError)
            if permanent or attempt >= self.retry.max_attempts:
                self.stats.retrying.pop(where, None)
                error_class = _error_class(exc, exhausted=not permanent)
                failure = Failure(error_class, str(exc), attempt, first_failure, now_utc())
                try:
                    self._dead_letter(msg, failure)
                except Exception as dlq_exc:  # the DLQ is unreachable too: hold the message
                    self.log.warning("dead letter queue unreachable", error=str(dlq_exc)[:300])
                    delay = self.retry.delay(min(attempt, self.retry.max_attempts))
                    return Retry(attempt - 1, first_failure, delay, str(dlq_exc))
                return Outcome.DEAD_LETTERED
            self.stats.retrying[where] = attempt
            delay = self.retry.delay(attempt)
            self.log.warning(
                "retrying",
                topic=msg.topic,
                partition=msg.partition,
                offset=msg.offset,
                attempt=attempt,
                delay_s=round(delay, 3),
                error=str(exc)[:300],
            )
            return Retry(attempt, first_failure, delay, str(exc))
        self.stats.retrying.pop(where, None)
        return outcome

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

    def _handle_once(self, msg: Incoming) -> Outcome:
        sub = self.by_topic[msg.topic]
        event = self.serde.deserialize(msg.value, msg.topic)
        if sub.accepts is not None and not sub.accepts(event):
            self.stats.skipped += 1
            return Outcome.SKIPPED
        if sub.wait is not None:
            delay = sub.wait(event)
            if delay > 0 and self.stop.wait(delay):
                raise _Stopping
        event_id = str(event.metadata.event_id)
        self._log_context = bind_message_context(event.metadata.correlation_id)
        # Serialized with every transaction about the same key (the aggregate: an order) in any
        # instance of this service: two instances never interleave one order's state changes.
        with self.db.transaction(lock=_lock_name(msg, event_id)) as conn:
            seen = conn.execute(
                "SELECT 1 FROM inbox WHERE consumer_group = ? AND event_id = ?",
                (self.group, event_id),
            ).fetchone()
            if seen:
                self.stats.duplicates += 1
                return Outcome.DUPLICATE
            uow = UnitOfWork(conn, self.serde, self.service, event)
            try:
                sub.handler(event, uow)
            except pydantic.ValidationError as exc:
                raise ValidationFailedError(f"{sub.handler.__name__}: {exc}") from exc
            conn.execute(
                "INSERT INTO inbox (consumer_group, event_id, topic) VALUES (?, ?, ?)",
                (self.group, event_id, msg.topic),
            )
        self.stats.handled += 1
        self.log.debug(
            "handled",
            topic=msg.topic,
            event_type=type(event).__name__,
            key=_text(event.partition_key()),
            event_id=event_id,
            published=[type(e).__name__ for e in uow.published],
        )
        return Outcome.HANDLED

    def _dead_letter(self, msg: Incoming, failure: Failure) -> None:
        send_to_dlq(self.dlq_sink, msg, self.service, self.group, failure)
        self.stats.dead_lettered[failure.error_class] += 1
        self.log.error(
            "dead-lettered",
            topic=msg.topic,
            partition=msg.partition,
            offset=msg.offset,
            error_class=failure.error_class,
            attempts=failure.attempts,
            reason=failure.message[:500],
        )


def _text(key: bytes | None) -> str | None:
    return None if key is None else key.decode(errors="replace")


def _lock_name(msg: Incoming, event_id: str) -> str:
    return f"key:{msg.key.hex()}" if msg.key else f"event:{event_id}"


def _error_class(exc: Exception, exhausted: bool) -> str:
    if isinstance(exc, ProcessingError | TransientDatabaseError):
        name = exc.error_class
    elif isinstance(exc, sqlite3.OperationalError):
        name = "database_unavailable"
    else:
        name = f"unexpected:{type(exc).__name__}"
    return f"retries_exhausted:{name}" if exhausted else name
