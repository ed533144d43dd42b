"""The Kafka side of one consumer group: poll, process the batch (one transaction, processor.py),
publish the outbox, then commit.

Offsets are committed only after every message before them was handled or dead-lettered and the
events they caused were published.  A batch that wrote nothing (every message skipped by the
subscription's filter or dropped as a duplicate) publishes nothing: its offsets wait, at most
COMMIT_IDLE_S, to go with the next commit (a crash before that redelivers them, to be skipped or
dropped again), so a group that skips most of a busy topic does not pay a relay transaction and a
commit round trip per fetch.  A transient failure pauses only its own partition: the failed
message is kept and retried when its backoff is over, while the group's other partitions go on;
once it is handled (or dead-lettered) the partition seeks to the next offset and resumes.  A
message still waiting for its retry at shutdown or revocation is not committed (redelivered).
"""

from __future__ import annotations

import threading
import time

from confluent_kafka import Consumer, KafkaError, Message, TopicPartition

from services.runtime.logging import get_logger
from services.runtime.messages import Incoming, KafkaHeaders
from services.runtime.outbox import OutboxRelay
from services.runtime.paused import TP, PausedPartitions
from services.runtime.processor import Outcome, Processor, Retry

COMMIT_IDLE_S = 1.0  # longest a batch that wrote nothing keeps its offsets uncommitted


def to_incoming(msg: Message) -> Incoming:
    """A fetched record (never an error event: those have no topic, partition or offset)."""
    topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
    assert topic is not None and partition is not None and offset is not None
    return Incoming(
        topic=topic,
        partition=partition,
        offset=offset,
        key=msg.key(),
        value=msg.value(),
        timestamp_ms=msg.timestamp()[1],
        headers=header_list(msg.headers()),
    )


def header_list(headers: KafkaHeaders) -> list[tuple[str, bytes]]:
    """Kafka headers as (name, bytes) pairs, whatever shape the client handed them in."""
    pairs = list(headers.items()) if isinstance(headers, dict) else headers or []
    return [(k, v if isinstance(v, bytes) else (v or "").encode()) for k, v in pairs]


class ConsumerLoop(threading.Thread):
    def __init__(
        self, consumer: Consumer, processor: Processor, relay: OutboxRelay, stop: threading.Event
    ) -> None:
        super().__init__(name=f"consumer-{processor.group}", daemon=True)
        self.consumer = consumer
        self.processor = processor
        self.relay = relay
        self.stop_event = stop
        self.paused = PausedPartitions()
        self.poll_s = 0.5
        self.assignment: list[tuple[str, int]] = []
        self.joined = False  # the last rebalance finished for this member (even with no partition)
        self.member_id = ""
        self.lag: dict[TP, int] = {}  # as of the last `_measure_lag`, for /metrics
        self.uncommitted: dict[TP, int] = {}  # offsets of batches that wrote nothing
        self.last_commit = time.monotonic()
        self.last_poll = 0.0
        self._lag_measured = 0.0
        self.log = get_logger(group=processor.group)

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.assignment = sorted((p.topic, p.partition) for p in partitions)
        self.joined = True
        self.member_id = consumer.memberid() or ""
        self.log.info("partitions assigned", partitions=[f"{t}[{p}]" for t, p in self.assignment])

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.assignment, self.joined, self.lag = [], False, {}
        for p in partitions:  # no longer ours to commit: redelivered to the next owner
            self.uncommitted.pop((p.topic, p.partition), None)
        for topic, partition in self.paused.forget((p.topic, p.partition) for p in partitions):
            self.processor.stats.retrying = {
                k: v
                for k, v in self.processor.stats.retrying.items()
                if not k.startswith(f"{topic}[{partition}]@")
            }

    def run(self) -> None:
        topics = sorted(self.processor.by_topic)
        self.consumer.subscribe(topics, on_assign=self._on_assign, on_revoke=self._on_revoke)
        try:
            while not self.stop_event.is_set():
                self.last_poll = time.time()
                self._retry_due()
                wait = self.paused.wait_s(time.monotonic(), self.poll_s)
                self._process_batch(self._next_batch(wait))
                if self.last_poll - self._lag_measured >= 1.0:
                    self._measure_lag()
        except Exception:
            self.log.exception("consumer loop crashed")
            raise
        finally:
            self.consumer.close()
            self.log.info("consumer closed")

    def _next_batch(self, wait_s: float, most: int = 200) -> list[Message]:
        """Wait up to `wait_s` for one message, then take what else is already there.

        `consume(n, timeout)` alone waits for n messages or the whole timeout, which would add
        up to `wait_s` of latency at every hop of the saga when traffic is light.
        """
        first = self.consumer.poll(wait_s)
        if first is None:
            return []
        return [first, *self.consumer.consume(num_messages=most - 1, timeout=0)]

    def _process_batch(self, messages: list[Message]) -> None:
        fetched: list[tuple[Incoming, Retry | None]] = []
        for msg in messages:
            error = msg.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    self.log.warning("consume error", error=str(error))
                continue
            incoming = to_incoming(msg)
            if (incoming.topic, incoming.partition) in self.paused:
                continue  # fetched before the pause took effect: re-read after the resume
            fetched.append((incoming, None))
        done: dict[TP, int] = {}
        wrote = False  # a message was handled (or dead-lettered): its effects must go out first
        for incoming, result in self.processor.process_batch(fetched) if fetched else []:
            tp = (incoming.topic, incoming.partition)
            if isinstance(result, Retry):
                self.paused.pause(incoming, result, time.monotonic())
                self.consumer.pause([TopicPartition(*tp)])
                continue
            done[tp] = incoming.offset + 1
            wrote = wrote or result not in (Outcome.SKIPPED, Outcome.DUPLICATE)
        self._publish_and_commit(done, wrote)

    def _retry_due(self) -> None:
        done: dict[TP, int] = {}
        for paused in self.paused.due(time.monotonic()):
            msg = paused.msg
            result = self.processor.process_once(msg, paused.retry)
            if isinstance(result, Retry):
                self.paused.pause(msg, result, time.monotonic())
                continue
            self.paused.release((msg.topic, msg.partition))
            done[(msg.topic, msg.partition)] = msg.offset + 1
            next_offset = TopicPartition(msg.topic, msg.partition, msg.offset + 1)
            self.consumer.resume([next_offset])
            self.consumer.seek(next_offset)  # drop whatever was fetched past the failed message
        if done:
            self._publish_and_commit(done)

    def _measure_lag(self) -> None:
        """Lag per assigned partition from the last fetched high watermark (no broker round trip)
        and this consumer's position; partitions with neither known yet are left out."""
        self._lag_measured = self.last_poll
        lag: dict[TP, int] = {}
        try:
            positions = self.consumer.position([TopicPartition(t, p) for t, p in self.assignment])
            for tp in positions:
                _, high = self.consumer.get_watermark_offsets(tp, cached=True)
                if tp.offset >= 0 and high >= 0:
                    lag[(tp.topic, tp.partition)] = max(0, high - tp.offset)
        except Exception as exc:  # a metric must never stop consuming
            self.log.debug("lag not measured", error=str(exc)[:200])
        self.lag = lag

    def _publish_and_commit(self, done: dict[TP, int], wrote: bool = True) -> None:
        if wrote:
            try:
                self.relay.relay()
            except Exception as exc:  # broker away: keep offsets uncommitted, retry next batch
                self.log.warning("outbox relay failed; offsets not committed", error=str(exc)[:300])
                return
        self.uncommitted.update(done)
        due = wrote or time.monotonic() - self.last_commit >= COMMIT_IDLE_S
        if self.uncommitted and due:
            offsets = [TopicPartition(t, p, o) for (t, p), o in self.uncommitted.items()]
            self.consumer.commit(offsets=offsets, asynchronous=False)
            self.uncommitted = {}
            self.last_commit = time.monotonic()
