"""/: health of every part, consumer groups with lag, dead letters by reason, orders by status,
and recent throughput."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from console.app import console_of
from console.pages import attempt
from console.pages.groups import group_views
from console.sources.health import PartHealth
from console.sources.orders import STATUSES

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    console = console_of(request)
    sources = console.sources
    topics, broker_error = attempt(sources.broker.topic_names, [])
    broker = PartHealth(
        "broker",
        "down" if broker_error else "up",
        "metadata request",
        broker_error or f"{len(topics)} topics",
        sources.broker.bootstrap,
    )
    parts, health_error = attempt(sources.health.parts, [])
    (views, _), groups_error = attempt(lambda: group_views(console, parts), ([], {}))
    ends, ends_error = attempt(lambda: sources.broker.ends(topics), {})
    if ends:
        console.throughput.record(ends)
    entries, dlq_error = attempt(sources.broker.dlq_entries, [])
    reasons = Counter((e.fact("original.topic"), e.error_class) for e in entries)
    counts, orders_error = attempt(sources.orders.counts, {})
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
        groups_error=groups_error or ends_error,
        reasons=sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])),
        dlq_total=len(entries),
        dlq_error=dlq_error,
        counts=[(s, counts.get(s, 0)) for s in STATUSES],
        orders_total=sum(counts.values()),
        orders_error=orders_error,
        rates=sorted(console.throughput.rates(), key=lambda r: (-r.per_s, r.topic)),
        window_s=console.throughput.window_s,
    )
