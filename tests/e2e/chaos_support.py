"""Helpers of the chaos tests: a stack of their own, resilient order placing, and the audit of
what the run left behind (order states, payment and inventory ledgers, events per topic)."""

from __future__ import annotations

import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from confluent_kafka import Consumer, TopicPartition

from services.runtime.consumer import to_incoming
from services.runtime.serde import EventSerde
from stack.demo import order_body
from stack.dlq_tool import dlq_reasons
from stack.health import service_health
from stack.offsets import log_end_offsets
from stack.stack import SERVICES, Stack
from tests.e2e.conftest import service_rows

OK, DECLINED, SOLDOUT = "ok", "declined", "soldout"
STATUS = {OK: "DELIVERED", DECLINED: "CANCELLED", SOLDOUT: "CANCELLED"}
# distinct events per order and topic, by kind of order (notifications: one per saga event)
SAGA_TOPICS = {
    OK: ["order_created", "order_paid", "inventory_reserved", "order_shipped", "order_delivered"],
    DECLINED: ["order_created", "payment_failed", "order_cancelled"],
    SOLDOUT: [
        "order_created",
        "order_paid",
        "inventory_failed",
        "payment_refunded",
        "order_cancelled",
    ],
}
NOTIFICATION_TOPICS = ("high_priority_notifications", "low_priority_notifications")


def kind_of(i: int) -> str:
    return DECLINED if i % 10 == 3 else SOLDOUT if i % 10 == 7 else OK


def body_for(i: int, kind: str, sku: str) -> dict[str, object]:
    if kind == DECLINED:
        return order_body(f"chaos-{i}", [(sku, 1, "10.00")], "tok_declined")
    if kind == SOLDOUT:
        return order_body(f"chaos-{i}", [(sku, 1, "10.00"), ("SKU-SOLDOUT", 1, "5.00")], "tok_visa")
    return order_body(f"chaos-{i}", [(sku, 1, "10.00")], "tok_visa")


def place(api: httpx.Client, body: dict[str, object], timeout: float = 120) -> str:
    """POST with an Idempotency-Key, retried while the order service is down or restarting."""
    key = str(uuid.uuid4())
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = api.post("/orders", json=body, headers={"Idempotency-Key": key})
            if response.status_code in (200, 201):
                return str(response.json()["id"])
            error = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            error = repr(exc)
        if time.monotonic() > deadline:
            raise AssertionError(f"could not place an order: {error}")
        time.sleep(0.3)


def place_many(api: httpx.Client, n: int, sku: str, start: int = 0) -> dict[str, str]:
    """order id -> kind, for n orders placed from 8 threads."""
    kinds = [kind_of(i) for i in range(start, start + n)]
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda ik: place(api, body_for(ik[0], ik[1], sku)), enumerate(kinds)))
    return dict(zip(ids, kinds, strict=True))


def fetch_orders(api: httpx.Client, ids: list[str]) -> dict[str, dict]:
    def one(oid: str) -> tuple[str, dict]:
        for _ in range(50):
            try:
                return oid, api.get(f"/orders/{oid}").json()
            except httpx.HTTPError:
                time.sleep(0.3)
        raise AssertionError(f"order API unreachable fetching {oid}")

    with ThreadPoolExecutor(8) as pool:
        return dict(pool.map(one, ids))


def timelines(api: httpx.Client, ids: list[str]) -> dict[str, list[str]]:
    def one(oid: str) -> tuple[str, list[str]]:
        events = api.get(f"/orders/{oid}/events").json()["events"]
        return oid, [e["event_type"] for e in events]

    with ThreadPoolExecutor(8) as pool:
        return dict(pool.map(one, ids))


def read_topics(
    stack: Stack, topics: list[str]
) -> Iterator[tuple[str, bytes | None, bytes | None]]:
    """(topic, key, value) of every record now in `topics`, read up to the true log ends."""
    bootstrap = stack.config.kafka
    ends = log_end_offsets(bootstrap, topics)
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "chaos-audit", "enable.auto.commit": False}
    )
    try:
        consumer.assign([TopicPartition(t, p, 0) for (t, p), end in ends.items() if end > 0])
        left = {tp: end for tp, end in ends.items() if end > 0}
        deadline = time.monotonic() + 60
        while left and time.monotonic() < deadline:
            for msg in consumer.consume(1000, 0.5):
                if msg.error():
                    continue
                record = to_incoming(msg)
                tp = (record.topic, record.partition)
                if record.offset + 1 >= left.get(tp, 0):
                    left.pop(tp, None)
                yield record.topic, record.key, record.value
        assert not left, f"could not read to the end of {sorted(left)}"
    finally:
        consumer.close()


@dataclass
class Audit:
    orders: int = 0
    not_terminal: list[str] = field(default_factory=list)
    wrong_status: list[str] = field(default_factory=list)
    terminal_events_not_one: list[str] = field(default_factory=list)
    double_charges: int = 0
    wrong_charges: list[str] = field(default_factory=list)
    stock_mismatch: dict[str, tuple[int, int]] = field(default_factory=dict)
    event_count_mismatch: list[str] = field(default_factory=list)
    duplicate_events: int = 0  # distinct events beyond one per order and topic
    redelivered_copies: int = 0  # same event id published more than once (deduplicated)
    inbox_drops: int = 0  # redeliveries dropped by the inboxes of the instances running now
    outbox_pending: dict[str, int] = field(default_factory=dict)  # rows never published
    dlq_by_reason: Counter[str] = field(default_factory=Counter)

    @property
    def lost(self) -> int:
        return len(set(self.not_terminal) | set(self.wrong_status))

    @property
    def duplicates(self) -> int:
        return self.double_charges + self.duplicate_events + len(self.terminal_events_not_one)

    def problems(self) -> list[str]:
        fields = {k: v for k, v in vars(self).items() if v and k not in ("orders", "dlq_by_reason")}
        fields.pop("redelivered_copies", None)
        fields.pop("inbox_drops", None)
        return [f"{k}: {str(v)[:300]}" for k, v in fields.items()]


def db_rows(stack: Stack, service: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
    return service_rows(stack, service, sql, params)


def stock(stack: Stack, sku: str) -> int:
    rows = db_rows(stack, "inventory", "SELECT available FROM stock WHERE sku = ?", (sku,))
    return int(rows[0][0])


def audit(
    stack: Stack, api: httpx.Client, orders: dict[str, str], sku: str, stock_before: int
) -> Audit:
    result = Audit(orders=len(orders))
    states = fetch_orders(api, list(orders))
    for oid, kind in orders.items():
        status = states[oid].get("status")
        if status not in ("DELIVERED", "CANCELLED"):
            result.not_terminal.append(oid)
        elif status != STATUS[kind]:
            result.wrong_status.append(f"{oid} {kind} {status}")
    for oid, events in timelines(api, list(orders)).items():
        if events.count("OrderDelivered") + events.count("OrderCancelled") != 1:
            result.terminal_events_not_one.append(f"{oid}: {events}")

    charges = Counter(
        r[0] for r in db_rows(stack, "payment", "SELECT order_id FROM charges") if r[0] in orders
    )
    result.double_charges = sum(c - 1 for c in charges.values())
    should_charge = {o for o, k in orders.items() if k != DECLINED}
    if set(charges) != should_charge:
        result.wrong_charges = sorted(set(charges) ^ should_charge)

    delivered = sum(1 for k in orders.values() if k == OK)
    moved = stock_before - stock(stack, sku)
    if moved != delivered:
        result.stock_mismatch[sku] = (moved, delivered)

    topics = sorted({t for ts in SAGA_TOPICS.values() for t in ts} | set(NOTIFICATION_TOPICS))
    serde = EventSerde.from_url(stack.config.registry_url)
    seen: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for topic, key, value in read_topics(stack, topics):
        oid = (key or b"").decode()
        if oid in orders:
            event = serde.deserialize(value, topic)
            seen[(topic, oid)][str(event.metadata.event_id)] += 1
    for oid, kind in orders.items():
        expected = set(SAGA_TOPICS[kind])
        notes = sum(len(seen[(t, oid)]) for t in NOTIFICATION_TOPICS)
        for topic in topics:
            ids = seen[(topic, oid)]
            result.redelivered_copies += sum(ids.values()) - len(ids)
            if topic in NOTIFICATION_TOPICS:
                continue
            want = 1 if topic in expected else 0
            if len(ids) != want:
                result.event_count_mismatch.append(f"{oid} {topic}: {len(ids)} != {want}")
                result.duplicate_events += max(0, len(ids) - want)
        if notes != len(expected):
            result.event_count_mismatch.append(f"{oid} notifications: {notes} != {len(expected)}")
            result.duplicate_events += max(0, notes - len(expected))

    result.dlq_by_reason = dlq_reasons(stack.config.kafka)
    for service in SERVICES:
        left = db_rows(stack, service, "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
        if left[0][0]:
            result.outbox_pending[service] = int(left[0][0])
    for health in service_health(stack.ops.values()):
        groups = health.get("groups") or {}
        result.inbox_drops += sum(g["duplicates"] for g in groups.values())
    return result


def settled_audit(
    stack: Stack,
    api: httpx.Client,
    orders: dict[str, str],
    sku: str,
    stock_before: int,
    timeout: float = 120,
) -> Audit:
    """Audit until it finds no problem or `timeout` passes (notifications may still be catching
    up after their service restarted when the orders are already terminal)."""
    deadline = time.monotonic() + timeout
    while True:
        result = audit(stack, api, orders, sku, stock_before)
        if not result.problems() or time.monotonic() > deadline:
            return result
        time.sleep(2)
