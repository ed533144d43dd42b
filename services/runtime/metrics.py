"""What a service did, counted cheaply where it happens and exposed in Prometheus format.

The hot path only touches plain counters owned by one consumer thread (`GroupStats`): an int
increment per message and one bucket increment for the handling time.  prometheus-client reads
them when `/metrics` is scraped (`ServiceCollector`), together with what is asked at scrape time
(outbox rows still pending, consumer lag as the consumer loops last saw it).  Each app has its own
`CollectorRegistry`, so several apps in one process (tests) never mix their numbers.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from services.runtime.consumer import ConsumerLoop

PREFIX = "shop_events"
# Seconds: a handling is a decode, one transaction and the handler; the tail catches slow fsyncs.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class LatencyHistogram:
    """Cumulative-bucket histogram written by one thread, read by the scraper (no lock needed:
    each update is one list item or float assignment, and a scrape may see one message less)."""

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.bounds = buckets
        self.counts = [0] * (len(buckets) + 1)  # the last one is +Inf
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, seconds)] += 1
        self.total += seconds

    def cumulative(self) -> list[tuple[str, float]]:
        counts, running, out = list(self.counts), 0, []
        for bound, count in zip([*map(str, self.bounds), "+Inf"], counts, strict=True):
            running += count
            out.append((bound, float(running)))
        return out


@dataclass
class GroupStats:
    """One consumer group's counts in this process (written only by its consumer thread)."""

    handled: int = 0
    duplicates: int = 0
    skipped: int = 0  # refused by the subscription's filter (`accepts`)
    dead_lettered: Counter[str] = field(default_factory=Counter)  # by error class
    retrying: dict[str, int] = field(default_factory=dict)  # "topic[partition]@offset" -> attempt
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)


class ServiceCollector(Collector):
    """The app's metrics, read from its consumer loops and outbox at scrape time."""

    def __init__(
        self,
        service: str,
        loops: Callable[[], list[ConsumerLoop]],
        outbox_pending: Callable[[], int | None],
        published: Callable[[], int],
    ) -> None:
        self.service = service
        self.loops = loops
        self.outbox_pending = outbox_pending
        self.published = published

    def collect(self) -> Iterator[Metric]:
        labels = ["service", "group"]
        handled = CounterMetricFamily(
            f"{PREFIX}_messages_handled",
            "Messages handled (committed with their effects).",
            None,
            labels,
        )
        duplicates = CounterMetricFamily(
            f"{PREFIX}_messages_duplicates",
            "Messages dropped as already handled (inbox).",
            None,
            labels,
        )
        skipped = CounterMetricFamily(
            f"{PREFIX}_messages_skipped",
            "Messages the group's filter refused (not its own; no transaction).",
            None,
            labels,
        )
        dead = CounterMetricFamily(
            f"{PREFIX}_messages_dead_lettered",
            "Messages sent to the dead letter queue.",
            None,
            [*labels, "reason"],
        )
        retrying = GaugeMetricFamily(
            f"{PREFIX}_messages_retrying",
            "Messages waiting for a retry after a transient error.",
            labels=labels,
        )
        latency = HistogramMetricFamily(
            f"{PREFIX}_handling_seconds",
            "Time to decode and handle one message (handled ones).",
            labels=labels,
        )
        assigned = GaugeMetricFamily(
            f"{PREFIX}_consumer_assigned_partitions",
            "Partitions assigned to this instance.",
            labels=labels,
        )
        lag = GaugeMetricFamily(
            f"{PREFIX}_consumer_lag",
            "Messages between this consumer's position and the high watermark the broker reports"
            " (a lower bound where the watermark trails the log end, as on Tansu).",
            labels=[*labels, "topic", "partition"],
        )
        for loop in self.loops():
            group, stats = loop.processor.group, loop.processor.stats
            key = [self.service, group]
            handled.add_metric(key, stats.handled)
            duplicates.add_metric(key, stats.duplicates)
            skipped.add_metric(key, stats.skipped)
            for reason, count in sorted(dict(stats.dead_lettered).items()):
                dead.add_metric([*key, reason], count)
            retrying.add_metric(key, len(stats.retrying))
            latency.add_metric(key, stats.latency.cumulative(), stats.latency.total)
            assigned.add_metric(key, len(loop.assignment))
            for (topic, partition), value in sorted(dict(loop.lag).items()):
                lag.add_metric([*key, topic, str(partition)], value)
        yield from (handled, duplicates, skipped, dead, retrying, latency, assigned, lag)
        published = CounterMetricFamily(
            f"{PREFIX}_outbox_published",
            "Outbox rows published by this instance.",
            None,
            ["service"],
        )
        published.add_metric([self.service], self.published())
        yield published
        pending = self.outbox_pending()
        if pending is not None:  # the database did not answer: leave the gauge out, not 0
            gauge = GaugeMetricFamily(
                f"{PREFIX}_outbox_pending",
                "Outbox rows committed but not yet published.",
                labels=["service"],
            )
            gauge.add_metric([self.service], pending)
            yield gauge


def service_registry(collector: ServiceCollector) -> CollectorRegistry:
    """A registry of the app's own metrics plus the process's CPU and memory."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    ProcessCollector(registry=registry)
    return registry
