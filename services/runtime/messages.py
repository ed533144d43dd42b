"""A consumed message as the runtime sees it, independent of the Kafka client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

# Headers as confluent-kafka types them (it accepts and returns either shape).
KafkaHeaders = list[tuple[str, str | bytes | None]] | dict[str, str | bytes | None] | None


def as_kafka_headers(headers: list[tuple[str, bytes]]) -> KafkaHeaders:
    """Our (name, bytes) pairs, typed for `Producer.produce` (a list is not covariant)."""
    return cast(KafkaHeaders, headers)


@dataclass(frozen=True)
class Incoming:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int = 0
    headers: list[tuple[str, bytes]] = field(default_factory=list)

    def header(self, name: str) -> bytes | None:
        return next((v for k, v in self.headers if k == name), None)
