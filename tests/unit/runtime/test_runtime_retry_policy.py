"""Retry policy: backoff bounds, one attempt at a time, and the paused-partition bookkeeping."""

from __future__ import annotations

import datetime
from pathlib import Path

from services.runtime.dlq import PREFIX
from services.runtime.messages import Incoming
from services.runtime.paused import PausedPartitions
from services.runtime.processor import Outcome, Retry, RetryPolicy
from tests.runtime_fakes import FlakyHandler, make_processor

T0 = datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC)


def msg(value: str, partition: int = 0, offset: int = 0, topic: str = "t") -> Incoming:
    return Incoming(topic, partition, offset, value.encode(), value.encode())


def test_delay_is_full_jitter_under_an_exponential_cap() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay_s=0.1, max_delay_s=1.0)
    for attempt, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (5, 1.0), (9, 1.0)]:
        delays = [policy.delay(attempt) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # jitter spans the whole range
        assert min(delays) < ceiling * 0.2


def test_process_once_returns_retry_then_dead_letters_when_exhausted(tmp_path: Path) -> None:
    handler = FlakyHandler()
    handler.transient.add("a")
    processor, sink = make_processor(tmp_path, ["t"], handler, RetryPolicy(3, 0.01, 0.02))
    first = processor.process_once(msg("a", offset=7))
    assert isinstance(first, Retry) and first.attempt == 1
    assert processor.stats.retrying == {"t[0]@7": 1}
    second = processor.process_once(msg("a", offset=7), first)
    assert isinstance(second, Retry) and second.attempt == 2
    assert second.first_failure == first.first_failure
    assert processor.process_once(msg("a", offset=7), second) is Outcome.DEAD_LETTERED
    assert processor.stats.retrying == {}
    [entry] = sink.topics["dead_letter_queue"]
    headers = dict(entry.headers)
    assert headers[PREFIX + "error.class"] == b"retries_exhausted:transient"
    assert headers[PREFIX + "attempts"] == b"3"
    assert entry.value == b"a"


def test_permanent_failure_dead_letters_at_once(tmp_path: Path) -> None:
    handler = FlakyHandler()
    handler.permanent.add("bad")
    processor, sink = make_processor(tmp_path, ["t"], handler, RetryPolicy(5, 0.01, 0.02))
    assert processor.process_once(msg("bad")) is Outcome.DEAD_LETTERED
    headers = dict(sink.topics["dead_letter_queue"][0].headers)
    assert headers[PREFIX + "error.class"] == b"permanent"
    assert headers[PREFIX + "attempts"] == b"1"


def test_retry_succeeds_once_healed_and_duplicate_is_dropped(tmp_path: Path) -> None:
    handler = FlakyHandler()
    handler.transient.add("a")
    processor, sink = make_processor(tmp_path, ["t"], handler, RetryPolicy(5, 0.01, 0.02))
    retry = processor.process_once(msg("a"))
    assert isinstance(retry, Retry)
    handler.transient.clear()
    assert processor.process_once(msg("a"), retry) is Outcome.HANDLED
    assert processor.process_once(msg("a")) is Outcome.DUPLICATE
    assert handler.handled == ["a"]
    assert "dead_letter_queue" not in sink.topics


def test_paused_partitions_schedule() -> None:
    paused = PausedPartitions()
    retry = Retry(1, T0, 2.0, "x")
    paused.pause(msg("a", partition=1, offset=5), retry, now=100.0)
    paused.pause(msg("b", partition=2, offset=9), Retry(1, T0, 1.0, "y"), now=100.0)
    assert ("t", 1) in paused and ("t", 0) not in paused
    assert paused.wait_s(100.0, 0.5) == 0.5
    assert abs(paused.wait_s(100.8, 0.5) - 0.2) < 1e-9  # the earliest retry is due at 101
    assert paused.due(100.5) == []
    assert [p.msg.partition for p in paused.due(102.0)] == [2, 1]  # earliest first
    assert paused.forget([("t", 2), ("t", 0)]) == [("t", 2)]
    released = paused.release(("t", 1))
    assert released is not None and released.msg.offset == 5 and len(paused) == 0
    assert paused.wait_s(0.0, 0.5) == 0.5


def test_unreachable_dead_letter_queue_holds_the_message_until_it_answers(tmp_path: Path) -> None:
    handler = FlakyHandler()
    handler.permanent.add("bad")
    processor, sink = make_processor(tmp_path, ["t"], handler, RetryPolicy(5, 0.01, 0.02))
    working_send = sink.send

    def broken_send(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker away")

    sink.send = broken_send  # type: ignore[method-assign]
    held = processor.process_once(msg("bad", offset=3))
    assert isinstance(held, Retry) and "broker away" in held.error
    assert "dead_letter_queue" not in sink.topics  # nothing lost, nothing committed past it
    sink.send = working_send  # type: ignore[method-assign]
    assert processor.process_once(msg("bad", offset=3), held) is Outcome.DEAD_LETTERED
    assert len(sink.topics["dead_letter_queue"]) == 1
