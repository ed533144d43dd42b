"""What every page works with: the console's sources, its mutation policy and its renderer.

`bootstrap(settings)` builds the real sources from the settings (broker, registry, order API,
health); tests build a `Console` with the sources they want and hand it to `create_app`.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from console.security import MutationPolicy
from console.settings import ConsoleSettings
from console.sources.broker import BrokerSource, BrokerUnavailable
from console.sources.decoding import Decoder
from console.sources.health import HealthSource
from console.sources.orders import OrdersSource, OrdersUnavailable
from console.sources.registry import RegistrySource, RegistryUnavailable
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
