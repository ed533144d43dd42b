"""Prometheus metrics of the registry: requests by route and status, and their latency.

`RequestMetrics` is the outermost ASGI layer, so requests refused before routing (auth, body
limits) are counted too, and it answers `GET /metrics` itself (no credentials, like `/health`).
The route label is the matched route's template (`/subjects/{subject}/versions`), never the raw
path, and "unmatched" for anything no route matched: a client inventing paths cannot grow the
number of series.  `RouteRecorder` sits just outside FastAPI and hands the matched template out.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.exposition import choose_encoder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SLOT = "registry.route"  # scope key of the dict the recorder fills (shared by scope copies)
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class RouteRecorder:
    """Innermost: after FastAPI routed the request, note the template of the route it matched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            route = scope.get("route")
            slot = scope.get(_SLOT)
            if slot is not None and route is not None:
                slot["route"] = getattr(route, "path", "unmatched")


class RequestMetrics:
    """Outermost: count and time every HTTP request; serve `/metrics`."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry | None = None) -> None:
        self.app = app
        self.registry = registry or CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "registry_requests",
            "HTTP requests by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "registry_request_seconds",
            "Time to answer an HTTP request, by route template.",
            ["route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        ProcessCollector(registry=self.registry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == "/metrics" and scope["method"] in ("GET", "HEAD"):
            await self._serve_metrics(scope, send)
            return
        slot: dict[str, str] = {}
        scope = {**scope, _SLOT: slot}
        status = [500]
        started = time.perf_counter()

        async def record_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = slot.get("route", "unmatched")
            method = scope["method"] if scope["method"] in _METHODS else "other"
            self.requests.labels(route, method, str(status[0])).inc()
            self.latency.labels(route).observe(time.perf_counter() - started)

    async def _serve_metrics(self, scope: Scope, send: Send) -> None:
        accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
        encoder, content_type = choose_encoder(accept)
        body = encoder(self.registry)
        headers: list[Any] = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": body if scope["method"] == "GET" else b""}
        )


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
