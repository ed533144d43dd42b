"""store.project folds event by event, and its state always equals the fold of the whole timeline
(rebuild, as replay does), whatever order the events arrive in, duplicates and same-millisecond
events included."""

from __future__ import annotations

import datetime
import itertools
import random
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from services.events import (
    CancellationReason,
    DeclineReason,
    OrderCancelled,
    OrderDelivered,
    OrderPaid,
    OrderShipped,
    PaymentFailed,
)
from services.order import store
from services.order.domain import OrderEvent, rebuild
from services.runtime.store import Database, open_store
from tests.unit.order.builders import T0, meta, order_created


def journey(oid: uuid.UUID) -> list[OrderEvent]:
    """An order's events, in the order they happened; two share a millisecond."""
    return [
        order_created(oid),
        OrderPaid(
            metadata=meta(oid, 1), order_id=oid, payment_id="p", amount=Decimal(21), currency="EUR"
        ),
        PaymentFailed(
            metadata=meta(oid, 1),
            order_id=oid,
            amount=Decimal(21),
            currency="EUR",
            reason=DeclineReason.CARD_DECLINED,
            detail="same millisecond as paid",
        ),
        OrderShipped(
            metadata=meta(oid, 2), order_id=oid, shipment_id="s", tracking_number="t", carrier="c"
        ),
        OrderDelivered(
            metadata=meta(oid, 3),
            order_id=oid,
            shipment_id="s",
            delivered_at=T0 + datetime.timedelta(seconds=3),
        ),
        OrderCancelled(
            metadata=meta(oid, 4),
            order_id=oid,
            reason=CancellationReason.UNKNOWN,
            detail="too late",
        ),
    ]


def fold_as_they_come(tmp_path: Path, events: list[OrderEvent]) -> Database:
    db = open_store(tmp_path / f"order-{uuid.uuid4().hex}.sqlite3", "order", store.MIGRATIONS)
    for event in events:
        with db.transaction() as conn:
            store.project(conn, event, event.TOPICS[0])
    return db


def test_in_order_arrivals_fold_incrementally_to_the_rebuilt_state(tmp_path: Path) -> None:
    oid = uuid.uuid4()
    events = journey(oid)
    db = fold_as_they_come(tmp_path, events)
    assert store.all_states(db)[oid] == rebuild(events)[oid]


@pytest.mark.parametrize("seed", range(12))
def test_any_arrival_order_with_duplicates_gives_the_rebuilt_state(
    tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    oid = uuid.uuid4()
    events = journey(oid)
    arrivals = events[1:] + rng.sample(events, 2)  # OrderCreated first (it places the order)
    rng.shuffle(arrivals)
    db = fold_as_they_come(tmp_path, [events[0], *arrivals])
    assert store.all_states(db)[oid] == rebuild(events)[oid]


def test_the_last_three_events_arriving_in_every_order(tmp_path: Path) -> None:
    oid = uuid.uuid4()
    events = journey(oid)
    for late in itertools.permutations(events[3:]):
        arrived = [*events[:3], *late]
        db = fold_as_they_come(tmp_path, arrived)
        assert store.all_states(db)[oid] == rebuild(arrived)[oid]
