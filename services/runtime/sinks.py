"""Where produced bytes go: Kafka in a service, a list in the in-memory test bus."""

from __future__ import annotations

from typing import Protocol

from confluent_kafka import KafkaException, Producer

from services.runtime.errors import TransientError
from services.runtime.messages import Incoming, as_kafka_headers


class Sink(Protocol):
    def send(
        self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None: ...

    def flush(self) -> None:
        """Block until everything sent is acknowledged; raise TransientError otherwise."""


class KafkaSink:
    def __init__(self, producer: Producer, timeout_s: float = 30.0) -> None:
        self.producer = producer
        self.timeout_s = timeout_s
        self._errors: list[str] = []

    def _on_delivery(self, err: object, msg: object) -> None:
        if err is not None:
            self._errors.append(str(err))

    def send(
        self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        while True:
            try:
                self.producer.produce(
                    topic,
                    value=value,
                    key=key,
                    headers=as_kafka_headers(headers),
                    on_delivery=self._on_delivery,
                )
                return
            except BufferError:
                self.producer.poll(0.1)
            except KafkaException as exc:
                raise TransientError(f"produce to {topic!r} failed: {exc}") from exc

    def flush(self) -> None:
        left = self.producer.flush(self.timeout_s)
        errors, self._errors = self._errors, []
        if left or errors:
            raise TransientError(
                f"{left} message(s) not delivered in {self.timeout_s}s; errors: {errors[:3]}"
            )


class MemorySink:
    """Keeps what is sent, per topic, as `Incoming` records with increasing offsets."""

    def __init__(self) -> None:
        self.topics: dict[str, list[Incoming]] = {}

    def send(
        self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        log = self.topics.setdefault(topic, [])
        log.append(Incoming(topic, 0, len(log), key, value, 0, list(headers)))

    def flush(self) -> None:
        return None
