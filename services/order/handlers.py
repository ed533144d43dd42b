"""The order service's consumers: project every order event; compensate failed sagas.

Every order topic is read by the one group "order"; each event is added to the order's timeline
and the state is re-folded from it (see store.project).  PaymentFailed and PaymentRefunded also
cancel the order (once: the cancellations table holds one row per order).
"""

from __future__ import annotations

import pydantic

from services.events import OrderCancelled, OrderCreated, PaymentFailed, PaymentRefunded
from services.order import store
from services.order.domain import ORDER_EVENT_TYPES, decide_cancellation
from services.order.store import SCHEMA
from services.runtime.app import ServiceApp
from services.runtime.logging import get_logger
from services.runtime.settings import Settings
from services.runtime.unit_of_work import UnitOfWork

SERVICE = "order"


def project_event(event: pydantic.BaseModel, uow: UnitOfWork) -> None:
    state = store.project(uow.conn, event, event.TOPICS[0])  # type: ignore[attr-defined]
    get_logger(order_id=str(state.order_id)).info(
        "order event applied", event_type=type(event).__name__, status=state.status.value
    )


def compensate(event: pydantic.BaseModel, uow: UnitOfWork) -> None:
    """Project the failure, then cancel the order (at most once) if the saga is not over."""
    state = store.project(uow.conn, event, event.TOPICS[0])  # type: ignore[attr-defined]
    log = get_logger(order_id=str(state.order_id), event_type=type(event).__name__)
    decision = decide_cancellation(state, event)
    if decision is None:
        log.info("no compensation: order already ended", status=state.status.value)
        return
    reason, detail = decision
    meta = uow.next_metadata()
    if not store.claim_cancellation(uow.conn, state.order_id, meta.event_id, reason.value):
        log.info("order already cancelled by the saga")
        return
    cancelled = OrderCancelled(metadata=meta, order_id=state.order_id, reason=reason, detail=detail)
    uow.publish(cancelled)
    state = store.project(uow.conn, cancelled, OrderCancelled.TOPICS[0])
    log.info("order cancelled", reason=reason.value, detail=detail, status=state.status.value)


def build_app(settings: Settings | None = None) -> ServiceApp:
    """The order service's consumers and declared outputs (tests build a fresh one each)."""
    app = ServiceApp(SERVICE, schema_sql=SCHEMA, settings=settings)
    app.publisher(OrderCreated)
    app.publisher(OrderCancelled)
    for event_type in ORDER_EVENT_TYPES:
        reacts = event_type in (PaymentFailed, PaymentRefunded)
        app.subscriber(event_type)(compensate if reacts else project_event)
    return app


app = build_app()
