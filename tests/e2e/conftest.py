"""The whole embedded stack (broker, registry, six services), once per session, on free ports."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from stack.demo import TERMINAL, order_body
from stack.stack import Stack, StackConfig


@contextmanager
def running_stack(root: Path, label: str) -> Iterator[Stack]:
    """A whole stack of its own on free ports, stopped however the block ends."""
    config = StackConfig.on_free_ports(root, {"DELIVERY_DELAY_S": "0.05", "LOG_LEVEL": "INFO"})
    running = Stack(config, say=lambda m: print(f"[{label}] {m}"))
    try:
        running.start_infra()
        running.start_services()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("stack"), "stack") as running:
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
