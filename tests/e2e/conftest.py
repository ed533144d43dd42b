"""The whole embedded stack (broker, registry, six services), once per session and engine (the
services on SQLite files, then on PostgreSQL schemas), on free ports."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from dbkit import open_database
from stack.demo import TERMINAL, order_body
from stack.postgres import PostgresServer
from stack.stack import Stack, StackConfig


@contextmanager
def running_stack(
    root: Path, label: str, database_url: str = "", instances: int = 1
) -> Iterator[Stack]:
    """A whole stack of its own on free ports, stopped however the block ends; its services on
    PostgreSQL when `database_url` is given, `instances` of each."""
    config = StackConfig.on_free_ports(
        root, {"DELIVERY_DELAY_S": "0.05", "LOG_LEVEL": "INFO"}, database_url=database_url
    )
    running = Stack(config, say=lambda m: print(f"[{label}] {m}"))
    try:
        running.start_infra()
        running.start_services(instances=instances)
        yield running
    finally:
        running.stop()


def engine_url(request: pytest.FixtureRequest, engine: str, name: str) -> str:
    """ "" for SQLite; for PostgreSQL a new database on the session's server."""
    if engine == "sqlite":
        return ""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(name)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    url = engine_url(request, request.param, "saga")
    with running_stack(tmp_path_factory.mktemp("stack"), f"stack-{request.param}", url) as running:
        yield running


@pytest.fixture(scope="session")
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.order_api_url, timeout=15) as client:
        yield client


PlaceOrder = Callable[..., str]


@pytest.fixture(scope="session")
def place_order(api: httpx.Client) -> PlaceOrder:
    def place(
        customer: str = "alice",
        lines: list[tuple[str, int, str]] | None = None,
        token: str = "tok_visa",
    ) -> str:
        body = order_body(customer, lines or [("SKU-BOOK", 1, "12.50")], token)
        response = api.post("/orders", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    return place


def wait_terminal(
    api: httpx.Client, order_ids: list[str], timeout: float = 90.0
) -> dict[str, dict]:
    """Poll until every order is DELIVERED or CANCELLED; fail naming the ones that are not."""
    deadline = time.monotonic() + timeout
    orders: dict[str, dict] = {}
    pending = list(order_ids)
    while pending and time.monotonic() < deadline:

        def fetch(oid: str) -> tuple[str, dict]:
            return oid, api.get(f"/orders/{oid}").json()

        with ThreadPoolExecutor(8) as pool:
            orders.update(pool.map(fetch, pending))
        pending = [o for o in pending if orders[o].get("status") not in TERMINAL]
        if pending:
            time.sleep(0.5)
    assert not pending, (
        f"{len(pending)} orders not terminal, e.g. {[orders[o] for o in pending[:3]]}"
    )
    return orders


def data_dir(stack: Stack) -> Path:
    return stack.config.root / "data"


def service_rows(stack: Stack, service: str, sql: str, params: tuple[object, ...] = ()) -> list:
    """Rows of a query on a service's own database (SQLite file or PostgreSQL schema), read while
    the service runs."""
    target = stack.config.database_url or data_dir(stack) / f"{service}.sqlite3"
    db = open_database(target, schema=service, pool_size=1)
    try:
        return [tuple(r) for r in db.query(sql, params)]
    finally:
        db.close()
