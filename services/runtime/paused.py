"""Partitions paused on a transient failure: which message, which attempt, when to try again.

Pure bookkeeping (no Kafka), so the policy is unit-tested on its own; `consumer.py` pauses and
resumes the real partitions accordingly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.runtime.messages import Incoming
from services.runtime.processor import Retry

TP = tuple[str, int]


@dataclass(frozen=True)
class Paused:
    msg: Incoming  # the failed message: retried as is, nothing after it is processed meanwhile
    retry: Retry
    retry_at: float  # monotonic seconds


class PausedPartitions:
    def __init__(self) -> None:
        self._paused: dict[TP, Paused] = {}

    def __contains__(self, tp: object) -> bool:
        return tp in self._paused

    def __len__(self) -> int:
        return len(self._paused)

    def pause(self, msg: Incoming, retry: Retry, now: float) -> None:
        self._paused[(msg.topic, msg.partition)] = Paused(msg, retry, now + retry.delay_s)

    def due(self, now: float) -> list[Paused]:
        """Paused partitions whose backoff is over, earliest first."""
        return sorted(
            (p for p in self._paused.values() if p.retry_at <= now), key=lambda p: p.retry_at
        )

    def release(self, tp: TP) -> Paused | None:
        return self._paused.pop(tp, None)

    def forget(self, tps: Iterable[TP]) -> list[TP]:
        """Drop partitions no longer ours (revoked); return those that were paused."""
        return [tp for tp in tps if self._paused.pop(tp, None) is not None]

    def wait_s(self, now: float, longest: float) -> float:
        """How long the next poll may block without making a due retry late."""
        if not self._paused:
            return longest
        return max(0.0, min(longest, min(p.retry_at for p in self._paused.values()) - now))
