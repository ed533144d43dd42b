"""The order service's use case, apart from HTTP: place an order in a unit of work.

    with app.db.transaction() as conn:
        placed = place_order(command, UnitOfWork(conn, app.serde, app.name))

The order row, its Idempotency-Key and the OrderCreated in the outbox commit in the caller's one
transaction, so nothing of a real order can reach a consumer before its row exists.  A key that
comes back with the same request returns the order it created (`created=False`); with another
request it is refused (`IdempotencyKeyReused`) and nothing is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from services.events import OrderCreated, OrderLine
from services.order import store
from services.order.domain import Line, OrderState, order_total
from services.runtime.unit_of_work import UnitOfWork, new_metadata

CENTS = Decimal("0.01")


@dataclass(frozen=True)
class PlaceOrder:
    """The command: a validated order request (see dto.CreateOrder)."""

    customer_id: str
    lines: tuple[Line, ...]
    currency: str
    payment_token: str
    note: str | None
    request_hash: str  # identifies the request: a reused Idempotency-Key must bring the same
    idempotency_key: str | None = None

    def total(self) -> Decimal:
        return order_total((line.quantity, line.unit_price) for line in self.lines)


@dataclass(frozen=True)
class PlacedOrder:
    state: OrderState
    created: bool  # False: a repeat of an earlier request with the same Idempotency-Key


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was already used for a different request."""

    reason = "already used for a different request body"

    def __init__(self, key: str) -> None:
        super().__init__(f"Idempotency-Key {key!r} {self.reason}")
        self.key = key


def place_order(command: PlaceOrder, uow: UnitOfWork) -> PlacedOrder:
    """Place the order (project it, queue its OrderCreated) unless its Idempotency-Key says it
    already was."""
    key = command.idempotency_key
    found = store.find_idempotency_key(uow.conn, key) if key else None
    if key and found is not None:
        request_hash, order_id = found
        if request_hash != command.request_hash:
            raise IdempotencyKeyReused(key)
        state = store.load_state(uow.conn, order_id)
        assert state is not None  # the key row and the order row commit together
        return PlacedOrder(state, created=False)
    state = _create(command, uow)
    if key:
        store.save_idempotency_key(uow.conn, key, command.request_hash, state.order_id)
    return PlacedOrder(state, created=True)


def _create(command: PlaceOrder, uow: UnitOfWork) -> OrderState:
    order_id = uuid.uuid4()
    event = OrderCreated(
        metadata=new_metadata(uow.service, correlation_id=order_id),
        order_id=order_id,
        customer_id=command.customer_id,
        items=[
            OrderLine(
                sku=line.sku, quantity=line.quantity, unit_price=line.unit_price.quantize(CENTS)
            )
            for line in command.lines
        ],
        total=command.total(),
        currency=command.currency,
        payment_token=command.payment_token,
        note=command.note,
    )
    uow.publish(event)
    return store.project(uow.conn, event, OrderCreated.TOPICS[0])
