"""/health, /health/ready and /metrics of a service, over fake consumer loops (no broker)."""

from __future__ import annotations

import socket
import threading
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.runtime.health import HealthMonitor
from services.runtime.metrics import (
    GroupStats,
    LatencyHistogram,
    ServiceCollector,
    service_registry,
)
from services.runtime.ops import Ops


class FakeLoop:
    def __init__(self, group: str, assignment: list[tuple[str, int]], joined: bool = True) -> None:
        self.processor = SimpleNamespace(group=group, stats=GroupStats(), by_topic={"t": None})
        self.assignment = assignment
        self.joined = joined
        self.member_id = f"{group}-member"
        self.lag: dict[tuple[str, int], int] = {(t, p): 7 for t, p in assignment}
        self.last_poll = 0.0
        self.alive = True

    def is_alive(self) -> bool:
        return self.alive


def make_ops(loops: list[FakeLoop], checks: dict[str, Any] | None = None) -> tuple[Ops, Any]:
    app = SimpleNamespace(name="svc", stop_event=threading.Event(), loops=loops)
    default = {"broker": lambda: "ok", "registry": lambda: "HTTP 200", "database": lambda: "ok"}
    monitor = HealthMonitor(app, checks or default, interval_s=60)  # type: ignore[arg-type]
    collector = ServiceCollector("svc", lambda: loops, lambda: 3, lambda: 11)  # type: ignore[arg-type,return-value]
    return Ops(monitor, service_registry(collector)), app


def test_ready_needs_answered_checks_and_joined_groups() -> None:
    loop = FakeLoop("g", [("t", 0)], joined=False)
    ops, _ = make_ops([loop])
    status, _, _ = ops.answer("/health/ready", "")
    assert status == 503  # nothing checked yet
    ops.monitor.run_checks()
    report = ops.monitor.report()
    assert report["live"] and not report["ready"]
    assert report["not_ready"] == ["group g: joining (no assignment yet)"]
    loop.joined = True
    assert ops.answer("/health/ready", "")[0] == 200


def test_a_member_without_partitions_is_a_ready_standby() -> None:
    ops, _ = make_ops([FakeLoop("g", [])])
    ops.monitor.run_checks()
    report = ops.monitor.report()
    assert report["ready"] and report["groups"]["g"]["standby"] is True


def test_a_failing_dependency_or_dead_thread_says_why() -> None:
    def broken() -> str:
        raise ConnectionError("refused")

    loop = FakeLoop("g", [("t", 0)])
    ops, app = make_ops(
        [loop], {"broker": broken, "registry": lambda: "x", "database": lambda: "x"}
    )
    ops.monitor.run_checks()
    report = ops.monitor.report()
    assert not report["ready"] and report["live"]
    assert report["not_ready"] == ["broker: ConnectionError: refused"]
    assert ops.answer("/health", "")[0] == 200  # live: not a reason to restart
    loop.alive = False
    assert ops.answer("/health", "")[0] == 503
    app.stop_event.set()
    assert ops.monitor.report()["status"] == "down"


def test_metrics_expose_the_counts_of_every_group() -> None:
    loop = FakeLoop("g", [("t", 0), ("t", 1)])
    loop.processor.stats.handled = 5
    loop.processor.stats.dead_lettered["business_rule"] += 2
    loop.processor.stats.retrying["t[0]@3"] = 1
    for seconds in (0.0001, 0.003, 0.2, 9.0):
        loop.processor.stats.latency.observe(seconds)
    ops, _ = make_ops([loop])
    status, ctype, body = ops.answer("/metrics", "")
    assert status == 200 and ctype.startswith("text/plain")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(body.decode())
        for s in f.samples
    }
    g = (("group", "g"), ("service", "svc"))
    assert samples[("shop_events_messages_handled_total", g)] == 5
    assert (
        samples[
            (
                "shop_events_messages_dead_lettered_total",
                (*g[:1], ("reason", "business_rule"), g[1]),
            )
        ]
        == 2
    )
    assert samples[("shop_events_messages_retrying", g)] == 1
    assert samples[("shop_events_handling_seconds_count", g)] == 4
    assert samples[("shop_events_handling_seconds_bucket", (*g[:1], ("le", "0.005"), g[1]))] == 2
    assert samples[("shop_events_consumer_assigned_partitions", g)] == 2
    lag_key = (*g[:1], ("partition", "1"), g[1], ("topic", "t"))
    assert samples[("shop_events_consumer_lag", lag_key)] == 7
    assert samples[("shop_events_outbox_pending", (("service", "svc"),))] == 3
    assert samples[("shop_events_outbox_published_total", (("service", "svc"),))] == 11
    openmetrics = ops.answer("/metrics", "application/openmetrics-text; version=1.0.0")
    assert openmetrics[1].startswith("application/openmetrics-text")


def test_histogram_is_cumulative() -> None:
    hist = LatencyHistogram((0.1, 1.0))
    for seconds in (0.05, 0.1, 0.5, 5.0):
        hist.observe(seconds)
    assert hist.cumulative() == [("0.1", 2.0), ("1.0", 3.0), ("+Inf", 4.0)]
    assert hist.total == pytest.approx(5.65)


def test_ops_server_answers_over_http_and_refuses_the_rest() -> None:
    ops, _ = make_ops([FakeLoop("g", [("t", 0)])])
    ops.monitor.run_checks()
    url = ops.serve("127.0.0.1", 0)
    try:
        assert httpx.get(f"{url}/health/ready").json()["ready"] is True
        assert httpx.get(f"{url}/metrics?x=1").status_code == 200
        assert httpx.get(f"{url}/nope").status_code == 404
        assert httpx.post(f"{url}/health").status_code == 501  # only GET is served
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n")
            assert sock.recv(100).split(b"\r\n")[0].split()[1] == b"431"  # refused, not crashed
        assert httpx.get(f"{url}/health").status_code == 200  # still serving
    finally:
        ops.close()
