"""Health, metrics and `make status` on the running embedded stack."""

from __future__ import annotations

import json
import time

import httpx

from stack.health import fetch_health, fetch_metrics, service_health
from stack.stack import SERVICES, Stack
from stack.status import render_status
from tests.e2e.conftest import PlaceOrder, wait_terminal


def test_every_instance_is_ready_and_reports_its_groups(stack: Stack) -> None:
    healths = service_health(stack.ops.values())
    assert sorted(h["service"] for h in healths) == sorted(SERVICES)
    for health in healths:
        assert health["ready"] and health["live"], health
        assert {c for c, r in health["checks"].items() if r["ok"]} == {
            "broker",
            "registry",
            "database",
        }
        for group, info in health["groups"].items():
            assert info["state"] == "assigned" and info["assignment"], (group, info)


def test_metrics_count_what_was_handled_and_order_api_serves_them_too(
    stack: Stack, api: httpx.Client, place_order: PlaceOrder
) -> None:
    before = fetch_metrics(stack.ops["payment"])
    handled_before = sum(v for _, v in before.get("shop_events_messages_handled_total", []))
    order_ids = [place_order(f"metrics-{i}") for i in range(5)]
    wait_terminal(api, order_ids)
    deadline = time.monotonic() + 20
    while True:
        after = fetch_metrics(stack.ops["payment"])
        handled = {labels["group"]: v for labels, v in after["shop_events_messages_handled_total"]}
        if handled["payment"] >= handled_before + 5 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert handled["payment"] >= handled_before + 5
    buckets = [v for labels, v in after["shop_events_handling_seconds_count"]]
    assert sum(buckets) >= 5
    assert [v for _, v in after["shop_events_outbox_pending"]] == [0]
    assert after["shop_events_consumer_assigned_partitions"]
    # the order service answers the same endpoints on its API port
    assert api.get("/health/ready").status_code == 200
    assert "shop_events_messages_handled_total" in api.get("/metrics").text


def test_status_shows_members_lag_and_counts_from_the_services(
    stack: Stack, api: httpx.Client, place_order: PlaceOrder
) -> None:
    wait_terminal(api, [place_order("status")])
    text = render_status(stack.config.kafka, list(stack.ops.values()))
    print(text)
    assert "services (6 instances asked at 6 address(es)):" in text
    assert text.count(": ready") == 6
    # Tansu describes no members: they come from the services, and the status says so
    assert "members (from the services' /health: the broker described none):" in text
    assert "group payment: state" in text and "handled " in text
    for line in text.splitlines():
        if line.strip().startswith("order_created "):
            lags = line.split()[1:4]
            assert all(lag.isdigit() for lag in lags), line


def test_a_down_instance_is_shown_down_not_hidden(stack: Stack) -> None:
    dead = "http://127.0.0.1:9"  # discard port: nothing answers HTTP there
    health = fetch_health(dead)
    assert health["reachable"] is False and health["error"]
    text = render_status(stack.config.kafka, [*stack.ops.values(), dead])
    assert f"{dead}: DOWN" in text


def test_log_lines_of_a_handled_message_carry_its_correlation_id(
    stack: Stack, api: httpx.Client, place_order: PlaceOrder
) -> None:
    order_id = place_order("traced")
    wait_terminal(api, [order_id])
    events = api.get(f"/orders/{order_id}/events").json()["events"]
    assert events
    log = (stack.logs / "payment.log").read_text().splitlines()
    lines = [json.loads(x) for x in log if x.startswith("{")]
    tagged = [x for x in lines if x.get("correlation_id")]
    assert tagged, "no payment log line carries a correlation_id"
