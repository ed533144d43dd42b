"""Event sourcing and scale-out on the embedded stack: replay equals live; two instances of one
service split its group's partitions and no order is handled twice."""

from __future__ import annotations

import time

import httpx

from services.order.replay import differences, live_states, replay_from_kafka
from services.runtime.settings import Settings
from stack.health import service_health
from stack.stack import Stack
from tests.e2e.conftest import PlaceOrder, data_dir, wait_terminal


def stack_settings(stack: Stack) -> Settings:
    return Settings(
        kafka_bootstrap_servers=stack.config.kafka,
        schema_registry_url=stack.config.registry_url,
        data_dir=data_dir(stack),
    )


def test_replay_rebuilds_the_live_projection(
    stack: Stack, api: httpx.Client, place_order: PlaceOrder
) -> None:
    placed = [
        place_order("alice"),
        place_order("dave", token="tok_declined"),
        place_order("erin", [("SKU-SOLDOUT", 1, "3.00")]),
    ]
    wait_terminal(api, placed)
    live = stack.config.database_url or data_dir(stack) / "order.sqlite3"
    deadline = time.monotonic() + 60
    while True:  # the projection may still be applying the last events of other topics
        rebuilt = replay_from_kafka(stack_settings(stack), idle_s=1.5, progress=lambda _: None)
        diffs = differences(rebuilt, live_states(live))
        if not diffs or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert not diffs, diffs[:10]
    assert {str(o) for o in rebuilt} >= set(placed)
    statuses = {str(o): s.status.value for o, s in rebuilt.items()}
    assert [statuses[o] for o in placed] == ["DELIVERED", "CANCELLED", "CANCELLED"]


def _payment_groups(stack: Stack) -> dict[int, dict]:
    urls = [url for label, url in stack.ops.items() if label.startswith("payment")]
    return {h["pid"]: h["groups"]["payment"] for h in service_health(urls) if h["reachable"]}


def test_two_instances_split_partitions_and_handle_each_order_once(
    stack: Stack, api: httpx.Client, place_order: PlaceOrder
) -> None:
    second = stack.service_process("payment", instance=2).start(timeout=60)
    try:
        deadline = time.monotonic() + 60
        split = False
        while not split and time.monotonic() < deadline:
            groups = _payment_groups(stack)
            owned = [set(g["assignment"]) for g in groups.values()]
            split = (
                len(owned) == 2
                and all(owned)
                and not owned[0] & owned[1]
                and {p for o in owned for p in o if p.startswith("order_created")}
                == {f"order_created[{i}]" for i in range(3)}
            )
            time.sleep(0.5)
        assert split, f"partitions not split between two instances: {_payment_groups(stack)}"
        handled_before = {pid: g["handled"] for pid, g in _payment_groups(stack).items()}

        order_ids = [place_order(f"scale-{i}") for i in range(30)]
        wait_terminal(api, order_ids)
        for order_id in order_ids:
            events = api.get(f"/orders/{order_id}/events").json()["events"]
            outcomes = [e for e in events if e["event_type"] in ("OrderPaid", "PaymentFailed")]
            assert len(outcomes) == 1, (order_id, events)

        handled_after = {pid: g["handled"] for pid, g in _payment_groups(stack).items()}
        assert all(handled_after[pid] > handled_before.get(pid, 0) for pid in handled_after)
    finally:
        second.stop()
