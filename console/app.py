"""The console's FastAPI app: wiring of sources, rendering, and errors as pages with reasons.

`bootstrap(settings)` builds the real sources from the settings (broker, registry, order API,
health); tests build a `Console` with the sources they want and call `create_app`.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from console.forms import BadForm
from console.security import MutationPolicy, Refused
from console.settings import ConsoleSettings
from console.sources.broker import BrokerSource, BrokerUnavailable
from console.sources.decoding import Decoder
from console.sources.health import HealthSource
from console.sources.orders import OrdersSource, OrdersUnavailable
from console.sources.registry import RegistryError, RegistrySource, RegistryUnavailable
from console.throughput import Throughput
from services.runtime.serde import EventSerde

NAV = [
    ("/", "Overview", "1"),
    ("/orders", "Orders", "2"),
    ("/topics", "Topics", "3"),
    ("/schemas", "Schemas", "4"),
    ("/groups", "Groups", "5"),
    ("/dlq", "Dead letters", "6"),
]
UNAVAILABLE = (BrokerUnavailable, RegistryUnavailable, OrdersUnavailable)


@dataclass
class Sources:
    broker: BrokerSource
    registry: RegistrySource
    orders: OrdersSource
    health: HealthSource
    decoder: Decoder


@dataclass
class Console:
    settings: ConsoleSettings
    sources: Sources
    policy: MutationPolicy
    throughput: Throughput = field(default_factory=Throughput)
    outcomes: dict[str, Any] = field(default_factory=dict)  # redrive outcomes by id (recent)
    templates: jinja2.Environment = field(default_factory=lambda: _environment())

    def render(
        self, request: Request, template: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        started = getattr(request.state, "started", time.monotonic())
        now = datetime.datetime.now(datetime.UTC)
        html = self.templates.get_template(template).render(
            request=request,
            nav=NAV,
            active=_section(request.url.path),
            policy=self.policy,
            read_at=now.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            took_ms=round((time.monotonic() - started) * 1000),
            settings=self.settings,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from console import view

    env.filters.update(view.FILTERS)
    env.globals.update(view.GLOBALS)
    return env


def _section(path: str) -> str:
    return next((href for href, _, _ in reversed(NAV) if path.startswith(href)), "/")


def bootstrap(settings: ConsoleSettings) -> Console:
    registry = RegistrySource(settings.schema_registry_url)
    sources = Sources(
        broker=BrokerSource(settings.kafka_bootstrap_servers),
        registry=registry,
        orders=OrdersSource(settings.order_api_url),
        health=HealthSource(
            settings.data_dir.parent, settings.schema_registry_url, settings.ops_urls
        ),
        decoder=Decoder(EventSerde.from_url(settings.schema_registry_url), registry),
    )
    return Console(settings, sources, MutationPolicy.from_settings(settings))


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def create_app(console: Console) -> FastAPI:
    from console.pages import dlq, groups, orders, overview, schemas, topics

    app = FastAPI(title="shop-events console", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = console
    static = resources.files("console") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for page in (overview, orders, topics, schemas, groups, dlq):
        app.include_router(page.router)

    @app.middleware("http")
    async def timing(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.started = time.monotonic()
        response = await call_next(request)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.get("/health", response_class=PlainTextResponse)
    def health() -> str:
        return "ok"

    def error_page(request: Request, status: int, reason: str, details: list[str]) -> Response:
        return console.render(
            request,
            "error.html",
            status,
            title=f"{status}",
            source="this console (the request was not served)",
            reason=reason,
            details=details,
        )

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        response = error_page(request, exc.status, exc.reason, [console.policy.why])
        if exc.challenge:
            response.headers["WWW-Authenticate"] = 'Basic realm="shop-events console"'
        return response

    @app.exception_handler(BadForm)
    async def bad_form(request: Request, exc: BadForm) -> Response:
        return error_page(request, exc.status, exc.reason, [])

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        details = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        ]
        return error_page(request, 422, "the request's parameters are not valid", details)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_page(request, exc.status_code, str(exc.detail), [])

    @app.exception_handler(RegistryError)
    async def registry_error(request: Request, exc: RegistryError) -> Response:
        status = exc.status if 400 <= exc.status < 500 else 502
        return error_page(request, status, f"registry: {exc.message}", [])

    for kind in UNAVAILABLE:

        @app.exception_handler(kind)
        async def unavailable(request: Request, exc: Exception) -> Response:
            return error_page(request, 503, f"unavailable: {exc}", [])

    return app
