"""Recent throughput per topic, from the log end offsets the console reads anyway.

Each read of the ends is a sample; the rate is the growth between the oldest sample of the
window and the newest.  One sample alone gives no rate: the page says so instead of a zero.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from stack.offsets import Partition, PartitionEnd

WINDOW_S = 60.0


@dataclass(frozen=True)
class Rate:
    topic: str
    per_s: float
    over_s: float
    exact: bool  # False when a sampled end was a lower bound


class Throughput:
    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self.samples: deque[tuple[float, dict[str, int], bool]] = deque()
        self.lock = threading.Lock()

    def record(self, ends: dict[Partition, PartitionEnd], now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        totals: dict[str, int] = {}
        for (topic, _), end in ends.items():
            totals[topic] = totals.get(topic, 0) + end.end
        exact = all(e.exact for e in ends.values())
        with self.lock:
            self.samples.append((now, totals, exact))
            while self.samples and now - self.samples[0][0] > self.window_s:
                self.samples.popleft()

    def rates(self, min_span_s: float = 1.0) -> list[Rate]:
        with self.lock:
            if len(self.samples) < 2:
                return []
            (t0, first, exact0), (t1, last, exact1) = self.samples[0], self.samples[-1]
        span = t1 - t0
        if span < min_span_s:
            return []
        return [
            Rate(topic, max(0, last[topic] - first[topic]) / span, span, exact0 and exact1)
            for topic in sorted(last)
            if topic in first
        ]
