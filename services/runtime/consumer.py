"""The Kafka side of one consumer group: poll, process, publish the outbox, then commit.

Offsets are committed only after every message before them was handled or dead-lettered and the
events they caused were published; a message abandoned mid-retry (shutdown) is not committed.
"""

from __future__ import annotations

import threading
import time

from confluent_kafka import Consumer, KafkaError, Message, TopicPartition

from services.runtime.logging import get_logger
from services.runtime.messages import Incoming
from services.runtime.outbox import OutboxRelay
from services.runtime.processor import Outcome, Processor


def to_incoming(msg: Message) -> Incoming:
    return Incoming(
        topic=msg.topic(),
        partition=msg.partition(),
        offset=msg.offset(),
        key=msg.key(),
        value=msg.value(),
        timestamp_ms=msg.timestamp()[1],
        headers=list(msg.headers() or []),
    )


class ConsumerLoop(threading.Thread):
    def __init__(
        self, consumer: Consumer, processor: Processor, relay: OutboxRelay, stop: threading.Event
    ) -> None:
        super().__init__(name=f"consumer-{processor.group}", daemon=True)
        self.consumer = consumer
        self.processor = processor
        self.relay = relay
        self.stop_event = stop
        self.assignment: list[tuple[str, int]] = []
        self.last_poll = 0.0
        self.log = get_logger(group=processor.group)

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.assignment = sorted((p.topic, p.partition) for p in partitions)
        self.log.info("partitions assigned", partitions=[f"{t}[{p}]" for t, p in self.assignment])

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.assignment = []

    def run(self) -> None:
        topics = sorted(self.processor.by_topic)
        self.consumer.subscribe(topics, on_assign=self._on_assign, on_revoke=self._on_revoke)
        try:
            while not self.stop_event.is_set():
                self.last_poll = time.time()
                messages = self.consumer.consume(num_messages=200, timeout=0.5)
                self._process_batch(messages)
        except Exception:
            self.log.exception("consumer loop crashed")
            raise
        finally:
            self.consumer.close()
            self.log.info("consumer closed")

    def _process_batch(self, messages: list[Message]) -> None:
        done: dict[tuple[str, int], int] = {}
        for msg in messages:
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    self.log.warning("consume error", error=str(msg.error()))
                continue
            outcome = self.processor.process(to_incoming(msg))
            if outcome is Outcome.ABANDONED:
                break
            done[(msg.topic(), msg.partition())] = msg.offset() + 1
        try:
            self.relay.relay()
        except Exception as exc:  # broker away: keep offsets uncommitted, retry next batch
            self.log.warning("outbox relay failed; offsets not committed", error=str(exc)[:300])
            return
        if done:
            offsets = [TopicPartition(t, p, o) for (t, p), o in done.items()]
            self.consumer.commit(offsets=offsets, asynchronous=False)
