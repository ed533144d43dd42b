"""The place-order use case without HTTP: a real unit of work over the order's own tables, the
in-process mock registry for the serde; idempotency decided by key and request hash."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from services.events import OrderCreated
from services.order import store
from services.order.domain import Line, OrderStatus
from services.order.service import IdempotencyKeyReused, PlacedOrder, PlaceOrder, place_order
from services.runtime.serde import EventSerde
from services.runtime.store import Database, open_store
from services.runtime.testing import mock_registry
from services.runtime.unit_of_work import UnitOfWork


def command(
    key: str | None = None,
    request_hash: str = "hash-1",
    customer: str = "c-7",
    note: str | None = None,
) -> PlaceOrder:
    lines = (
        Line(sku="SKU-1", quantity=2, unit_price=Decimal("10.5")),
        Line(sku="SKU-2", quantity=1, unit_price=Decimal("3")),
    )
    return PlaceOrder(customer, lines, "EUR", "tok_ok", note, request_hash, idempotency_key=key)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_store(tmp_path / "order.sqlite3", "order", store.MIGRATIONS)
    yield database
    database.close()


@pytest.fixture(scope="module")
def serde() -> EventSerde:
    return EventSerde(mock_registry())


def place(db: Database, serde: EventSerde, cmd: PlaceOrder) -> tuple[PlacedOrder, UnitOfWork]:
    with db.transaction() as conn:
        uow = UnitOfWork(conn, serde, "order")
        return place_order(cmd, uow), uow


def outbox(db: Database) -> list[str]:
    return [r["topic"] for r in db.query("SELECT topic FROM outbox ORDER BY id")]


def test_placing_projects_the_order_and_queues_its_order_created(
    db: Database, serde: EventSerde
) -> None:
    placed, uow = place(db, serde, command(note="ring twice"))
    assert placed.created
    state = placed.state
    assert state.status is OrderStatus.PENDING
    assert (state.customer_id, state.total, state.note) == ("c-7", Decimal("24.00"), "ring twice")
    [event] = uow.published
    assert isinstance(event, OrderCreated)
    assert event.order_id == state.order_id == event.metadata.correlation_id
    assert event.metadata.producer == "order" and event.metadata.causation_id is None
    assert [line.unit_price for line in event.items] == [Decimal("10.50"), Decimal("3.00")]
    assert event.total == Decimal("24.00") and event.payment_token == "tok_ok"
    assert outbox(db) == ["order_created"]
    assert store.get_order(db, state.order_id) == state


def test_the_same_key_and_request_returns_the_first_order_and_publishes_nothing(
    db: Database, serde: EventSerde
) -> None:
    first, _ = place(db, serde, command("key-1"))
    again, uow = place(db, serde, command("key-1"))
    assert (first.created, again.created) == (True, False)
    assert again.state == first.state
    assert uow.published == []
    assert outbox(db) == ["order_created"]
    assert list(store.all_states(db)) == [first.state.order_id]


def test_the_same_key_with_another_request_is_refused_and_writes_nothing(
    db: Database, serde: EventSerde
) -> None:
    first, _ = place(db, serde, command("key-1", request_hash="hash-1"))
    with pytest.raises(IdempotencyKeyReused, match="'key-1' already used for a different request"):
        place(db, serde, command("key-1", request_hash="hash-2", customer="c-8"))
    assert list(store.all_states(db)) == [first.state.order_id]
    assert outbox(db) == ["order_created"]


def test_without_a_key_every_request_places_a_new_order(db: Database, serde: EventSerde) -> None:
    ids = {place(db, serde, command())[0].state.order_id for _ in range(3)}
    assert len(ids) == 3
    assert set(store.all_states(db)) == ids
    assert db.query("SELECT COUNT(*) AS n FROM idempotency_keys")[0]["n"] == 0


def test_keys_are_independent(db: Database, serde: EventSerde) -> None:
    a, _ = place(db, serde, command("key-a"))
    b, _ = place(db, serde, command("key-b"))
    assert a.created and b.created and a.state.order_id != b.state.order_id
    rows = db.query("SELECT idempotency_key, order_id FROM idempotency_keys ORDER BY 1")
    assert [(r["idempotency_key"], uuid.UUID(r["order_id"])) for r in rows] == [
        ("key-a", a.state.order_id),
        ("key-b", b.state.order_id),
    ]
