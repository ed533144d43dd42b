"""The pure fold: apply / rebuild, out-of-order arrival, terminal states, compensation decisions."""

from __future__ import annotations

import itertools
import uuid
from decimal import Decimal

import pytest

from services.events import (
    CancellationReason,
    DeclineReason,
    InventoryFailed,
    InventoryReserved,
    OrderCancelled,
    OrderDelivered,
    OrderPaid,
    OrderShipped,
    PaymentFailed,
    PaymentRefunded,
    StockLine,
)
from services.order.domain import (
    OrderStatus,
    apply,
    decide_cancellation,
    order_total,
    rebuild,
)
from tests.unit.order.builders import T0, meta, order_created

OID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def happy_path(oid: uuid.UUID = OID) -> list:
    return [
        order_created(oid, 0),
        OrderPaid(
            metadata=meta(oid, 1),
            order_id=oid,
            payment_id="pay-1",
            amount=Decimal("21.00"),
            currency="EUR",
        ),
        InventoryReserved(
            metadata=meta(oid, 2),
            order_id=oid,
            reservation_id="r-1",
            lines=[StockLine(sku="SKU-1", quantity=2)],
        ),
        OrderShipped(
            metadata=meta(oid, 3),
            order_id=oid,
            shipment_id="s-1",
            carrier="DHL",
            tracking_number="TRK-1",
        ),
        OrderDelivered(metadata=meta(oid, 4), order_id=oid, shipment_id="s-1", delivered_at=T0),
    ]


def out_of_stock(oid: uuid.UUID = OID) -> list:
    return [
        order_created(oid, 0),
        OrderPaid(
            metadata=meta(oid, 1),
            order_id=oid,
            payment_id="pay-1",
            amount=Decimal("21.00"),
            currency="EUR",
        ),
        InventoryFailed(
            metadata=meta(oid, 2), order_id=oid, missing_skus=["SKU-1"], detail="none left"
        ),
        PaymentRefunded(
            metadata=meta(oid, 3),
            order_id=oid,
            payment_id="pay-1",
            amount=Decimal("21.00"),
            currency="EUR",
            reason="out of stock",
        ),
        OrderCancelled(
            metadata=meta(oid, 4),
            order_id=oid,
            reason=CancellationReason.OUT_OF_STOCK,
            detail="SKU-1",
        ),
    ]


def test_each_event_moves_the_status_along_the_happy_path() -> None:
    state = None
    seen = []
    for event in happy_path():
        state = apply(state, event)
        seen.append(state.status)
    assert seen == [
        OrderStatus.PENDING,
        OrderStatus.PAID,
        OrderStatus.RESERVED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ]
    assert state is not None
    assert state.tracking_number == "TRK-1" and state.carrier == "DHL"
    assert state.customer_id == "c-1" and state.total == Decimal("21.00")
    assert state.created_at == T0 and state.updated_at == T0.replace(second=4)
    assert state.terminal


def test_out_of_stock_path_records_missing_skus_and_ends_cancelled() -> None:
    statuses = []
    state = None
    for event in out_of_stock():
        state = apply(state, event)
        statuses.append(state.status)
    assert statuses[2:] == [
        OrderStatus.INVENTORY_FAILED,
        OrderStatus.REFUNDED,
        OrderStatus.CANCELLED,
    ]
    assert state.missing_skus == ("SKU-1",)
    assert state.cancellation_reason == "OUT_OF_STOCK"


def test_applying_the_same_event_twice_changes_nothing() -> None:
    created = order_created(OID)
    once = apply(None, created)
    assert apply(once, created) == once
    assert once.event_ids == (created.metadata.event_id,)


@pytest.mark.parametrize("events", [happy_path(), out_of_stock()], ids=["happy", "out_of_stock"])
def test_every_arrival_order_folds_to_the_same_state(events: list) -> None:
    expected = rebuild(events)[OID]
    for perm in itertools.permutations(events):
        state = None
        for event in perm:
            state = apply(state, event)
        assert state is not None
        assert state.model_dump(exclude={"event_ids"}) == expected.model_dump(exclude={"event_ids"})
        assert set(state.event_ids) == set(expected.event_ids)
        assert rebuild(perm)[OID] == expected


def test_paid_before_created_keeps_paid_and_fills_in_the_order_later() -> None:
    created, paid = happy_path()[:2]
    early = apply(None, paid)
    assert early.status is OrderStatus.PAID and early.customer_id is None
    later = apply(early, created)
    assert later.status is OrderStatus.PAID
    assert later.customer_id == "c-1" and later.items[0].sku == "SKU-1"


def test_terminal_states_never_regress() -> None:
    delivered = rebuild(happy_path())[OID]
    late_paid = OrderPaid(
        metadata=meta(OID, 9), order_id=OID, payment_id="p", amount=Decimal(1), currency="EUR"
    )
    assert apply(delivered, late_paid).status is OrderStatus.DELIVERED
    cancelled = rebuild(out_of_stock())[OID]
    shipped = happy_path()[3]
    assert apply(cancelled, shipped).status is OrderStatus.CANCELLED


def test_rebuild_separates_orders() -> None:
    other = uuid.uuid4()
    states = rebuild([*happy_path(), *out_of_stock(other)])
    assert states[OID].status is OrderStatus.DELIVERED
    assert states[other].status is OrderStatus.CANCELLED
    assert len(states[OID].event_ids) == 5


def test_an_event_of_another_order_is_refused() -> None:
    with pytest.raises(ValueError, match="applied to order"):
        apply(apply(None, order_created(OID)), order_created(uuid.uuid4()))


def test_payment_failure_decides_a_payment_cancellation() -> None:
    failed = PaymentFailed(
        metadata=meta(OID, 1),
        order_id=OID,
        amount=Decimal(1),
        currency="EUR",
        reason=DeclineReason.CARD_DECLINED,
        detail="test card",
    )
    state = apply(apply(None, order_created(OID)), failed)
    reason, detail = decide_cancellation(state, failed)
    assert reason is CancellationReason.PAYMENT_FAILED and "CARD_DECLINED" in detail


def test_refund_decides_out_of_stock_naming_missing_skus_and_nothing_once_over() -> None:
    events = out_of_stock()
    state = rebuild(events[:4])[OID]
    reason, detail = decide_cancellation(state, events[3])
    assert reason is CancellationReason.OUT_OF_STOCK and "SKU-1" in detail
    assert decide_cancellation(rebuild(events)[OID], events[3]) is None


def test_order_total_sums_lines_to_cents() -> None:
    assert order_total([(2, Decimal("10.50")), (3, Decimal("0.01"))]) == Decimal("21.03")
