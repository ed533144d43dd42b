"""End to end on the embedded stack: orders per second from POST to DELIVERED, and latency.

Each scenario starts its own stack (free ports, temporary state): once with one instance of every
service, once with two instances of every consuming service (each topic has 3 partitions, so two
instances of a group split them).  Latency of an order = occurred_at of its OrderDelivered minus
occurred_at of its OrderCreated (same machine clock).  Throughput = orders / (last delivery - first
creation).
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from stack.demo import order_body
from stack.stack import Stack, StackConfig

NAME = "end to end (POST -> DELIVERED)"
ORDERS = int(os.environ.get("BENCH_E2E_ORDERS", "300"))
SCALED = ("payment", "inventory", "shipping", "delivery", "notification")


def _say(message: str) -> None:
    print(f"  [e2e] {message}", file=sys.stderr, flush=True)


def _when(event: dict[str, Any]) -> float:
    return datetime.datetime.fromisoformat(event["occurred_at"]).timestamp()


def _place_and_measure(api: httpx.Client, n: int) -> tuple[list[float], float]:
    def place(i: int) -> str:
        body = order_body(f"bench-{i}", [("SKU-BOOK", 1, "12.50")], "tok_visa")
        response = api.post("/orders", json=body)
        response.raise_for_status()
        return str(response.json()["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(place, range(n)))
    deadline = time.monotonic() + 300
    spans: dict[str, tuple[float, float]] = {}
    while len(spans) < n and time.monotonic() < deadline:
        for oid in [o for o in ids if o not in spans]:
            events = api.get(f"/orders/{oid}/events").json()["events"]
            kinds = {e["event_type"]: e for e in events}
            if "OrderDelivered" in kinds and "OrderCreated" in kinds:
                spans[oid] = (_when(kinds["OrderCreated"]), _when(kinds["OrderDelivered"]))
        time.sleep(0.2)
    if len(spans) < n:
        raise RuntimeError(f"only {len(spans)} of {n} orders delivered within 300 s")
    latencies = [done - created for created, done in spans.values()]
    window = max(d for _, d in spans.values()) - min(c for c, _ in spans.values())
    return latencies, n / window


def _scenario(instances: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    config = StackConfig.on_free_ports(root, {"DELIVERY_DELAY_S": "0", "LOG_LEVEL": "WARNING"})
    stack = Stack(config, _say)
    extra = []
    try:
        stack.start_infra()
        stack.start_services()
        for name in SCALED if instances > 1 else ():
            extra.append(stack.service_process(name, instance=2).start(timeout=60))
        stack.wait_until_assigned()
        with httpx.Client(base_url=config.order_api_url, timeout=30) as api:
            _place_and_measure(api, 10)  # warm-up: caches, connections, group joins settled
            _say(f"{instances} instance(s): placing {ORDERS} orders")
            latencies, throughput = _place_and_measure(api, ORDERS)
    finally:
        for proc in extra:
            proc.stop()
        stack.stop()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "instances_per_consuming_service": instances,
        "orders": ORDERS,
        "orders_per_s": round(throughput, 1),
        "latency_p50_ms": round(cuts[49] * 1000, 1),
        "latency_p99_ms": round(cuts[98] * 1000, 1),
    }


def run() -> dict[str, Any]:
    one = _scenario(1)
    two = _scenario(2)
    return {
        "cpu_count": os.cpu_count(),
        "partitions_per_topic": 3,
        "scenarios": [one, two],
        "two_over_one_instances_throughput": round(two["orders_per_s"] / one["orders_per_s"], 2),
    }
