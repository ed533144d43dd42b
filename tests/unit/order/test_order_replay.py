"""Replay's store and comparison (the Kafka reading is exercised end to end by the lead's test)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from services.events import OrderPaid
from services.order import store
from services.order.domain import OrderStatus, rebuild
from services.order.replay import differences, live_states, write_store
from services.runtime.store import open_store
from tests.unit.order.builders import meta, order_created


def test_write_store_is_fresh_and_holds_the_rebuilt_projection(tmp_path: Path) -> None:
    oid = uuid.uuid4()
    created = order_created(oid)
    paid = OrderPaid(
        metadata=meta(oid, 1), order_id=oid, payment_id="p", amount=Decimal(21), currency="EUR"
    )
    out = tmp_path / "replay.sqlite3"
    write_store(out, [order_created(uuid.uuid4())])  # a previous run: must be thrown away
    states = write_store(out, [paid, created])
    assert states[oid].status is OrderStatus.PAID
    assert live_states(out) == states
    db = open_store(out, "order", store.MIGRATIONS)
    assert [r.event_type for r in store.timeline(db, oid)] == ["OrderCreated", "OrderPaid"]


def test_differences_name_missing_orders_statuses_and_events() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    created_a = order_created(a)
    paid_a = OrderPaid(
        metadata=meta(a, 1), order_id=a, payment_id="p", amount=Decimal(21), currency="EUR"
    )
    live = rebuild([created_a, paid_a, order_created(b)])
    assert differences(live, live) == []
    rebuilt = rebuild([created_a])
    diffs = differences(rebuilt, live)
    assert f"{b}: only in the live store" in diffs
    assert f"{a}: status PENDING rebuilt, PAID live" in diffs
    assert any(d.startswith(f"{a}: events differ") for d in diffs)
