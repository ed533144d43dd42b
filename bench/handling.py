"""The runtime's handling loop with and without its observability, for `loop_bench`.

Each pass consumes the same OrderCreated messages and hands every one to the runtime's
`Processor` (decode, inbox check, a payment-like handler publishing OrderPaid to the outbox, one
SQLite transaction in memory, so the database does not hide the cost).  "observed" is the
runtime as shipped; "bare" is the same Processor with the per-message observability replaced by
no-ops (correlation-id binding of the log context and the handling-time histogram).  The
messages are fetched once, so the broker is out of the timing; passes alternate.  The ratio
observed / bare in one run is the price of observability per message.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from unittest import mock

from confluent_kafka import Consumer, TopicPartition

from services import events as ev
from services.runtime import processor as processor_module
from services.runtime.consumer import to_incoming
from services.runtime.logging import configure_logging
from services.runtime.messages import Incoming
from services.runtime.processor import Outcome, Processor, RetryPolicy, Subscription
from services.runtime.serde import EventSerde
from services.runtime.sinks import MemorySink
from services.runtime.store import open_store
from services.runtime.unit_of_work import UnitOfWork


class _NoHistogram:
    def observe(self, seconds: float) -> None:
        pass


@contextmanager
def _bare(processor: Processor) -> Iterator[None]:
    processor.stats.latency = _NoHistogram()  # type: ignore[assignment]
    with (
        mock.patch.object(processor_module, "bind_message_context", lambda *_: {}),
        mock.patch.object(processor_module, "reset_message_context", lambda _: None),
    ):
        yield


def fetch(bootstrap: str, topic: str, events: int) -> list[Incoming]:
    """The first `events` messages of partition 0 of `topic`, read once for every pass."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "bench-handling", "enable.auto.commit": False}
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    found: list[Incoming] = []
    try:
        while len(found) < events:
            found += [to_incoming(m) for m in consumer.consume(500, timeout=1.0) if not m.error()]
    finally:
        consumer.close()
    return found[:events]


def handling_rate(
    registry_url: str, messages: list[Incoming], observed: bool, next_event: Any
) -> float:
    """messages/s of one pass of `messages` through a fresh Processor (no broker in the timing)."""

    def charge(event: ev.OrderCreated, uow: UnitOfWork) -> None:
        uow.publish(next_event(event))

    configure_logging("bench", "json", "INFO")  # as a service runs: debug lines filtered out
    topic = messages[0].topic
    sub = Subscription(ev.OrderCreated, topic, "bench", charge)
    processor = Processor(
        "bench",
        "bench",
        [sub],
        open_store(":memory:", "bench"),
        EventSerde.from_url(registry_url),
        MemorySink(),
        RetryPolicy(),
    )
    processor.process_once(messages[0])  # registry lookups cached before the clock starts
    with nullcontext() if observed else _bare(processor):
        started = time.perf_counter()
        for msg in messages[1:]:
            if processor.process_once(msg) is not Outcome.HANDLED:
                raise RuntimeError("a bench message was not handled")
        return (len(messages) - 1) / (time.perf_counter() - started)


def added_cost_us(repeat: int = 5, number: int = 50_000) -> float:
    """Microseconds per message of what "observed" adds: bind and reset the log context, read
    the clock twice, one histogram observation (best of `repeat`)."""
    import timeit
    import uuid

    from services.runtime.logging import bind_message_context, reset_message_context
    from services.runtime.metrics import LatencyHistogram

    correlation, histogram = uuid.uuid4(), LatencyHistogram()

    def one() -> None:
        started = time.perf_counter()
        reset_message_context(bind_message_context(correlation))
        histogram.observe(time.perf_counter() - started)

    return min(timeit.repeat(one, number=number, repeat=repeat)) / number * 1e6
