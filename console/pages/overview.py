"""/: health of every part, consumer groups with lag, dead letters by reason, orders by status,
and recent throughput."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from console.context import console_of
from console.pages import attempt
from console.pages.groups import group_views
from console.sources.health import PartHealth
from console.sources.orders import STATUSES
from stack.dlq_tool import Entry
from stack.offsets import Partition, PartitionEnd

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    console = console_of(request)
    sources = console.sources

    def topics_and_ends() -> tuple[list[str], dict[Partition, PartitionEnd]]:
        names = sources.broker.topic_names()
        return names, sources.broker.ends(names)

    with ThreadPoolExecutor(4) as pool:  # the sources answer independently: ask them together
        no_parts: list[PartHealth] = []
        no_entries: list[Entry] = []
        no_counts: dict[str, int] = {}
        health = pool.submit(attempt, sources.health.parts, no_parts)
        dlq = pool.submit(attempt, sources.broker.dlq_entries, no_entries)
        orders = pool.submit(attempt, sources.orders.counts, no_counts)
        (topics, ends), broker_error = attempt(topics_and_ends, ([], {}))
        parts, health_error = health.result()
        entries, dlq_error = dlq.result()
        counts, orders_error = orders.result()
    broker = PartHealth(
        "broker",
        "down" if broker_error else "up",
        "metadata request",
        broker_error or f"{len(topics)} topics",
        sources.broker.bootstrap,
    )
    (views, _), groups_error = attempt(lambda: group_views(console, parts, ends), ([], {}))
    if ends:
        console.throughput.record(ends)
    reasons = Counter((e.fact("original.topic"), e.error_class) for e in entries)
    return console.render(
        request,
        "overview.html",
        title="Overview",
        refresh_ms=5000,
        source=f"broker {sources.broker.bootstrap}; registry {sources.registry.url}; order API "
        f"{sources.orders.url}; {sources.health.note}",
        parts=[broker, *parts],
        health_error=health_error,
        views=views,
        groups_error=groups_error or broker_error,
        reasons=sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])),
        dlq_total=len(entries),
        dlq_error=dlq_error,
        counts=[(s, counts.get(s, 0)) for s in STATUSES],
        orders_total=sum(counts.values()),
        orders_error=orders_error,
        rates=sorted(console.throughput.rates(), key=lambda r: (-r.per_s, r.topic)),
        window_s=console.throughput.window_s,
    )
