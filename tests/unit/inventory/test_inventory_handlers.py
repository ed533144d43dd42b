"""Inventory's handlers through the in-memory bus: seeding, atomic reservation, release once."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from services.events import (
    CancellationReason,
    InventoryFailed,
    InventoryReserved,
    OrderCancelled,
    OrderPaid,
)
from services.inventory.bootstrap import InventorySettings, create_app
from services.inventory.store import DEFAULT_SEED_FILE
from services.runtime.app import ServiceApp
from services.runtime.processor import Outcome
from services.runtime.testing import TestBus
from services.runtime.unit_of_work import new_metadata
from tests.samples import order_created


def order_paid(order_id: uuid.UUID) -> OrderPaid:
    return OrderPaid(
        metadata=new_metadata("payment", order_id),
        order_id=order_id,
        payment_id="pay_x",
        amount=Decimal("5.00"),
        currency="EUR",
    )


def order_cancelled(order_id: uuid.UUID) -> OrderCancelled:
    return OrderCancelled(
        metadata=new_metadata("order", order_id),
        order_id=order_id,
        reason=CancellationReason.UNKNOWN,
        detail="customer changed their mind",
    )


def stock(app: ServiceApp) -> dict[str, int]:
    return {r["sku"]: r["available"] for r in app.db.query("SELECT sku, available FROM stock")}


@pytest.fixture
def app() -> ServiceApp:
    return create_app(InventorySettings())


def test_default_seed_file_is_loaded_at_start_up(tmp_path: Path, app: ServiceApp) -> None:
    TestBus(app, tmp_path=tmp_path)  # runs the app's on_startup hook
    seed = json.loads(DEFAULT_SEED_FILE.read_text())
    assert stock(app) == seed
    assert seed["SKU-SOLDOUT"] == 0 and seed["SKU-RARE"] == 1 and len(seed) >= 8


def test_reseeding_after_a_restart_only_adds_missing_skus(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("SKU-A: 5\n")
    settings = InventorySettings(inventory_seed_file=seed)
    first = create_app(settings)
    bus = TestBus(first, tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid, ("SKU-A", 2)))
    bus.publish(order_paid(oid))
    bus.drain()
    assert stock(first) == {"SKU-A": 3}
    seed.write_text("SKU-A: 5\nSKU-B: 7\n")
    restarted = create_app(settings)
    TestBus(restarted, tmp_path=tmp_path)  # same database file: a restart
    assert stock(restarted) == {"SKU-A": 3, "SKU-B": 7}


def test_all_lines_in_stock_are_reserved(tmp_path: Path, app: ServiceApp) -> None:
    bus = TestBus(app, tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid, ("SKU-BOOK", 2), ("SKU-RARE", 1), ("SKU-BOOK", 1)))
    bus.publish(order_paid(oid))
    bus.drain()
    [reserved] = bus.events("inventory_reserved")
    assert isinstance(reserved, InventoryReserved)
    assert {(line.sku, line.quantity) for line in reserved.lines} == {
        ("SKU-BOOK", 3),
        ("SKU-RARE", 1),
    }
    assert stock(app)["SKU-BOOK"] == 997 and stock(app)["SKU-RARE"] == 0
    assert bus.events("inventory_failed") == []


def test_a_short_line_reserves_nothing_and_names_the_missing_skus(
    tmp_path: Path, app: ServiceApp
) -> None:
    bus = TestBus(app, tmp_path=tmp_path)
    before = stock(app)
    oid = uuid.uuid4()
    bus.publish(order_created(oid, ("SKU-BOOK", 2), ("SKU-RARE", 3), ("SKU-SOLDOUT", 1)))
    bus.publish(order_paid(oid))
    bus.drain()
    [failed] = bus.events("inventory_failed")
    assert isinstance(failed, InventoryFailed)
    assert failed.missing_skus == ["SKU-RARE", "SKU-SOLDOUT"]
    assert "SKU-RARE: requested 3, available 1" in failed.detail
    assert stock(app) == before  # SKU-BOOK was not taken either
    assert bus.events("inventory_reserved") == []


def test_order_paid_twice_reserves_once(tmp_path: Path, app: ServiceApp) -> None:
    bus = TestBus(app, tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid, ("SKU-LAMP", 4)))
    bus.publish(order_paid(oid))
    bus.publish(order_paid(oid))  # new event id
    bus.drain()
    assert len(bus.events("inventory_reserved")) == 1
    assert stock(app)["SKU-LAMP"] == 496


def test_order_paid_before_its_lines_is_retried_then_dead_lettered(
    tmp_path: Path, app: ServiceApp
) -> None:
    bus = TestBus(app, tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_paid(oid))  # its OrderCreated never arrives
    assert bus.drain() == [Outcome.DEAD_LETTERED]
    [dead] = bus.dead_letters()
    assert dead.header("dlq.error.class") == b"retries_exhausted:unknown_order"
    assert int(dead.header("dlq.attempts") or b"0") > 1  # retried before giving up
    assert f"order lines not seen yet for order {oid}".encode() in (
        dead.header("dlq.error.message") or b""
    )


def test_order_lines_are_read_in_their_own_consumer_group(app: ServiceApp) -> None:
    # so a retrying OrderPaid never blocks the consumer that must read its OrderCreated
    groups = {topic: sub.group for sub in app.subscriptions for topic in [sub.topic]}
    assert groups["order_created"] != groups["order_paid"]


def test_cancellation_releases_the_reservation_once(tmp_path: Path, app: ServiceApp) -> None:
    bus = TestBus(app, tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid, ("SKU-MUG", 5)))
    bus.publish(order_paid(oid))
    bus.drain()
    assert stock(app)["SKU-MUG"] == 995
    bus.publish(order_cancelled(oid))
    bus.publish(order_cancelled(oid))  # a second cancellation (new event id)
    assert bus.drain() == [Outcome.HANDLED, Outcome.HANDLED]
    assert stock(app)["SKU-MUG"] == 1000
    [row] = app.db.query("SELECT status FROM reservations WHERE order_id = ?", (str(oid),))
    assert row["status"] == "RELEASED"


def test_cancelling_an_order_that_failed_reservation_changes_no_stock(
    tmp_path: Path, app: ServiceApp
) -> None:
    bus = TestBus(app, tmp_path=tmp_path)
    oid, declined = uuid.uuid4(), uuid.uuid4()
    bus.publish(order_created(oid, ("SKU-SOLDOUT", 1), ("SKU-BOOK", 1)))
    bus.publish(order_created(declined, ("SKU-BOOK", 1)))  # payment declined: never paid
    bus.publish(order_paid(oid))
    bus.drain()
    before = stock(app)
    bus.publish(order_cancelled(oid))
    bus.publish(order_cancelled(declined))  # a placed order inventory never reserved
    assert bus.drain() == [Outcome.HANDLED, Outcome.HANDLED]
    assert stock(app) == before
    assert bus.dead_letters() == []


def test_cancelling_an_order_never_placed_is_retried_then_dead_lettered(
    tmp_path: Path, app: ServiceApp
) -> None:
    bus = TestBus(app, tmp_path=tmp_path)
    before = stock(app)
    bus.publish(order_cancelled(uuid.uuid4()))  # its OrderCreated never arrives
    assert bus.drain() == [Outcome.DEAD_LETTERED]
    [dead] = bus.dead_letters()
    assert dead.header("dlq.error.class") == b"retries_exhausted:unknown_order"
    assert dead.header("dlq.consumer.group") == b"inventory"
    assert stock(app) == before
    assert bus.events("inventory_reserved") == bus.events("inventory_failed") == []
