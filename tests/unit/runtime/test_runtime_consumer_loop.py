"""The Kafka loop's retry behaviour against a fake consumer: only the failing partition waits,
nothing is committed past an unprocessed message, and the partition resumes where it stopped."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from confluent_kafka import TopicPartition

from services.runtime.consumer import COMMIT_IDLE_S, ConsumerLoop
from services.runtime.outbox import OutboxRelay
from services.runtime.processor import RetryPolicy
from tests.runtime_fakes import FlakyHandler, make_processor


class FakeMessage:
    def __init__(self, topic: str, partition: int, offset: int, value: bytes) -> None:
        self._t, self._p, self._o, self._v = topic, partition, offset, value

    def error(self) -> None:
        return None

    def topic(self) -> str:
        return self._t

    def partition(self) -> int:
        return self._p

    def offset(self) -> int:
        return self._o

    def key(self) -> bytes:
        return self._v

    def value(self) -> bytes:
        return self._v

    def timestamp(self) -> tuple[int, int]:
        return (1, 0)

    def headers(self) -> None:
        return None


class FakeConsumer:
    """Per-partition logs, fetch positions, pause/resume/seek and synchronous commits."""

    def __init__(self, logs: dict[tuple[str, int], list[str]]) -> None:
        self.logs = logs
        self.position = {tp: 0 for tp in logs}
        self.paused: set[tuple[str, int]] = set()
        self.committed: dict[tuple[str, int], int] = {}
        self.commits: list[tuple[tuple[str, int], int]] = []

    def consume(self, num_messages: int, timeout: float) -> list[FakeMessage]:
        out = []
        for tp, log in self.logs.items():
            if tp in self.paused:
                continue
            for offset in range(self.position[tp], len(log)):
                out.append(FakeMessage(tp[0], tp[1], offset, log[offset].encode()))
            self.position[tp] = len(log)
        return out[:num_messages]

    def pause(self, tps: list[TopicPartition]) -> None:
        self.paused |= {(tp.topic, tp.partition) for tp in tps}

    def resume(self, tps: list[TopicPartition]) -> None:
        self.paused -= {(tp.topic, tp.partition) for tp in tps}

    def seek(self, tp: TopicPartition) -> None:
        self.position[(tp.topic, tp.partition)] = tp.offset

    def commit(self, offsets: list[TopicPartition], asynchronous: bool) -> None:
        for tp in offsets:
            key = (tp.topic, tp.partition)
            assert tp.offset >= self.committed.get(key, 0), "commit went backwards"
            self.committed[key] = tp.offset
            self.commits.append((key, tp.offset))


def make_loop(
    tmp_path: Path, logs: dict[tuple[str, int], list[str]], retry: RetryPolicy
) -> tuple[ConsumerLoop, FakeConsumer, FlakyHandler]:
    handler = FlakyHandler()
    processor, sink = make_processor(tmp_path, ["t"], handler, retry)
    consumer = FakeConsumer(logs)
    loop = ConsumerLoop(consumer, processor, OutboxRelay(processor.db, sink), threading.Event())  # type: ignore[arg-type]
    return loop, consumer, handler


def step(loop: ConsumerLoop, consumer: FakeConsumer) -> None:
    loop._retry_due()
    loop._process_batch(consumer.consume(200, 0))  # type: ignore[arg-type]


def run_until(loop: ConsumerLoop, consumer: FakeConsumer, done: object, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        step(loop, consumer)
        if done():  # type: ignore[operator]
            return
        time.sleep(0.005)
    raise AssertionError("condition not reached before the deadline")


def test_transient_failure_pauses_only_its_partition(tmp_path: Path) -> None:
    logs = {("t", 0): ["a0", "stuck", "a2"], ("t", 1): ["b0", "b1"]}
    loop, consumer, handler = make_loop(tmp_path, logs, RetryPolicy(50, 0.01, 0.02))
    handler.transient.add("stuck")
    step(loop, consumer)
    assert handler.handled == ["a0", "b0", "b1"]  # partition 1 went on; a2 waits behind "stuck"
    assert ("t", 0) in consumer.paused and ("t", 0) in loop.paused
    assert consumer.committed == {("t", 0): 1, ("t", 1): 2}  # never past "stuck" (offset 1)
    run_until(loop, consumer, lambda: loop.processor.stats.retrying.get("t[0]@1", 0) >= 3)
    assert handler.handled == ["a0", "b0", "b1"]
    assert consumer.committed[("t", 0)] == 1
    logs[("t", 1)].append("b2")  # new messages on the healthy partition still flow
    step(loop, consumer)
    assert "b2" in handler.handled
    handler.transient.clear()
    run_until(loop, consumer, lambda: consumer.committed[("t", 0)] == 3)
    assert handler.handled == ["a0", "b0", "b1", "b2", "stuck", "a2"]
    assert not consumer.paused and len(loop.paused) == 0
    assert loop.processor.stats.retrying == {}


def test_exhausted_retries_dead_letter_and_the_partition_moves_on(tmp_path: Path) -> None:
    logs = {("t", 0): ["doomed", "next"]}
    loop, consumer, handler = make_loop(tmp_path, logs, RetryPolicy(3, 0.001, 0.002))
    handler.transient.add("doomed")
    run_until(loop, consumer, lambda: consumer.committed.get(("t", 0)) == 2)
    assert handler.handled == ["next"]
    assert loop.processor.stats.dead_lettered == {"retries_exhausted:transient": 1}
    dlq = loop.relay.sink.topics["dead_letter_queue"]  # type: ignore[attr-defined]
    assert [m.value for m in dlq] == [b"doomed"]


def test_revoked_partition_forgets_its_pending_retry(tmp_path: Path) -> None:
    logs = {("t", 0): ["stuck"]}
    loop, consumer, handler = make_loop(tmp_path, logs, RetryPolicy(50, 10, 10))
    handler.transient.add("stuck")
    step(loop, consumer)
    assert ("t", 0) in loop.paused and loop.processor.stats.retrying
    loop._on_revoke(consumer, [TopicPartition("t", 0)])  # type: ignore[arg-type]
    assert len(loop.paused) == 0 and loop.processor.stats.retrying == {}
    assert ("t", 0) not in consumer.committed  # the new owner starts at the stuck message


def test_batches_that_write_nothing_commit_later_with_the_next_commit(tmp_path: Path) -> None:
    """Duplicates publish nothing: no relay, and their offsets wait (at most COMMIT_IDLE_S) for
    the next commit; a handled message commits at once, the waiting offsets with it."""
    logs = {("t", 0): ["a", "a", "a"], ("t", 1): []}  # "a" three times: the same event id
    loop, consumer, handler = make_loop(tmp_path, logs, RetryPolicy(3, 0.001, 0.002))
    relays: list[int] = []
    real_relay = loop.relay.relay
    loop.relay.relay = lambda: relays.append(1) or real_relay()  # type: ignore[method-assign]
    step(loop, consumer)
    assert handler.handled == ["a"] and consumer.committed == {("t", 0): 3}
    assert len(relays) == 1
    logs[("t", 0)].append("a")  # a redelivered duplicate
    step(loop, consumer)
    assert consumer.committed == {("t", 0): 3} and loop.uncommitted == {("t", 0): 4}
    assert len(relays) == 1  # nothing to publish
    logs[("t", 1)].append("b")  # handled: commits now, the waiting offset with it
    step(loop, consumer)
    assert consumer.committed == {("t", 0): 4, ("t", 1): 1} and loop.uncommitted == {}
    assert len(relays) == 2
    logs[("t", 0)].append("b")  # a duplicate again, then nothing: committed once it is due
    step(loop, consumer)
    assert consumer.committed[("t", 0)] == 4
    loop.last_commit -= COMMIT_IDLE_S
    step(loop, consumer)  # an empty poll
    assert consumer.committed[("t", 0)] == 5 and loop.uncommitted == {}


def test_a_revoked_partition_drops_its_waiting_offsets(tmp_path: Path) -> None:
    logs = {("t", 0): ["a", "a"]}
    loop, consumer, _ = make_loop(tmp_path, logs, RetryPolicy(3, 0.001, 0.002))
    step(loop, consumer)
    logs[("t", 0)].append("a")
    step(loop, consumer)
    assert loop.uncommitted == {("t", 0): 3}
    loop._on_revoke(consumer, [TopicPartition("t", 0)])  # type: ignore[arg-type]
    assert loop.uncommitted == {}
