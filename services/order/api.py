"""The order service's HTTP API (FastAPI): place orders, read the projection and timelines.

`create_api(app)` builds it over a ServiceApp, so tests bind a TestBus to the app first.  Bad input
always gets a 4xx whose body names each field and the reason; never a 5xx.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sqlite3
import uuid
from decimal import Decimal
from typing import Annotated, Any

import pydantic
from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from services.events import OrderCreated, OrderLine
from services.order import store
from services.order.domain import MAX_TOTAL, OrderState, OrderStatus, order_total
from services.runtime.app import ServiceApp
from services.runtime.errors import TransientError
from services.runtime.logging import get_logger
from services.runtime.unit_of_work import UnitOfWork, new_metadata


def _utf8(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from exc
    return value


Utf8 = pydantic.AfterValidator(_utf8)
Sku = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=64), Utf8]
CustomerId = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=128), Utf8]
PaymentToken = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=256), Utf8]
Note = Annotated[str, pydantic.StringConstraints(max_length=1000), Utf8]


# -- request and response bodies -------------------------------------------------------------------


class OrderLineIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    sku: Sku = pydantic.Field(description="Stock keeping unit.")
    quantity: int = pydantic.Field(ge=1, le=2**31 - 1, description="Units ordered, at least 1.")
    unit_price: Decimal = pydantic.Field(
        gt=0, max_digits=12, decimal_places=2, description="Price of one unit, > 0, 2 places."
    )


class CreateOrder(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    customer_id: CustomerId = pydantic.Field(description="Id of the customer.")
    items: list[OrderLineIn] = pydantic.Field(min_length=1, max_length=100)
    currency: str = pydantic.Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR.")
    payment_token: PaymentToken = pydantic.Field(description="Payment method token.")
    note: Note | None = None

    @pydantic.model_validator(mode="after")
    def total_fits(self) -> CreateOrder:
        if self.total() > MAX_TOTAL:
            raise ValueError(f"total: the order total exceeds the maximum {MAX_TOTAL}")
        return self

    def total(self) -> Decimal:
        return order_total((i.quantity, i.unit_price) for i in self.items)

    def fingerprint(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


class OrderLineOut(pydantic.BaseModel):
    sku: str
    quantity: int
    unit_price: Decimal


class Order(pydantic.BaseModel):
    id: uuid.UUID
    status: OrderStatus
    customer_id: str | None
    items: list[OrderLineOut]
    total: Decimal | None
    currency: str | None
    note: str | None
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    payment_id: str | None
    missing_skus: list[str]
    tracking_number: str | None
    carrier: str | None
    cancellation_reason: str | None
    cancellation_detail: str | None

    @classmethod
    def of(cls, s: OrderState) -> Order:
        return cls(
            id=s.order_id,
            items=[OrderLineOut(**line.model_dump()) for line in s.items],
            missing_skus=list(s.missing_skus),
            **s.model_dump(
                include={
                    "status", "customer_id", "total", "currency", "note", "created_at",
                    "updated_at", "payment_id", "tracking_number", "carrier",
                    "cancellation_reason", "cancellation_detail",
                }
            ),
        )  # fmt: skip


class OrderList(pydantic.BaseModel):
    count: int
    orders: list[Order]


class TimelineEntry(pydantic.BaseModel):
    event_id: uuid.UUID
    event_type: str
    topic: str
    occurred_at: datetime.datetime
    summary: str


class Timeline(pydantic.BaseModel):
    order_id: uuid.UUID
    events: list[TimelineEntry]


class Health(pydantic.BaseModel):
    status: str
    service: str
    groups: dict[str, Any]


class FieldError(pydantic.BaseModel):
    field: str = pydantic.Field(description="Path of the field, e.g. body.items.0.quantity.")
    reason: str
    type: str


class ErrorBody(pydantic.BaseModel):
    detail: str
    errors: list[FieldError] = []


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not valid JSON."},
    404: {"model": ErrorBody, "description": "No such order."},
    422: {"model": ErrorBody, "description": "Invalid input; `errors` names each field."},
}


def _error(status: int, detail: str, errors: list[FieldError] | None = None) -> JSONResponse:
    body = ErrorBody(detail=detail, errors=errors or [])
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ())) or "body"
        out.append(
            FieldError(field=field, reason=str(err.get("msg", "")), type=str(err.get("type")))
        )
    return out


def create_api(app: ServiceApp) -> FastAPI:
    api = FastAPI(
        title="Order service",
        version="1.0.0",
        description="Places orders (publishes order_created) and serves the order projection.",
    )

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        detail = "; ".join(f"{e.field}: {e.reason}" for e in errors[:5])
        return _error(422, f"invalid request: {detail}", errors)

    @api.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @api.exception_handler(TransientError)
    @api.exception_handler(sqlite3.OperationalError)
    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        get_logger().warning("service unavailable", error=str(exc)[:300])
        return _error(503, f"temporarily unavailable: {exc}")

    @api.get("/health", response_model=Health)
    def health() -> Health:
        return Health(status="ok", service=app.name, groups=app.health()["groups"])

    @api.post(
        "/orders",
        status_code=201,
        response_model=Order,
        responses={
            200: {"model": Order, "description": "Repeated request (same Idempotency-Key)."},
            400: ERRORS[400],
            422: ERRORS[422],
            503: {"model": ErrorBody, "description": "Database or registry unavailable; retry."},
        },
    )
    def place_order(
        body: CreateOrder,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$"
            ),
        ] = None,
    ) -> JSONResponse:
        fingerprint = body.fingerprint()
        created = True
        with app.db.transaction() as conn:
            found = store.find_idempotency_key(conn, idempotency_key) if idempotency_key else None
            if found is not None:
                if found[0] != fingerprint:
                    reason = "already used for a different request body"
                    errors = [
                        FieldError(field="header.Idempotency-Key", reason=reason, type="conflict")
                    ]
                    return _error(422, f"Idempotency-Key {idempotency_key!r} {reason}", errors)
                state = store.load_state(conn, found[1])
                created = False
            else:
                state = _create(conn, body)
                if idempotency_key:
                    store.save_idempotency_key(conn, idempotency_key, fingerprint, state.order_id)
        assert state is not None
        if created:
            _relay(app)
            get_logger().info("order placed", order_id=str(state.order_id), total=str(state.total))
        return JSONResponse(
            status_code=201 if created else 200,
            content=Order.of(state).model_dump(mode="json"),
            headers={"Location": f"/orders/{state.order_id}"},
        )

    def _create(conn: sqlite3.Connection, body: CreateOrder) -> OrderState:
        order_id = uuid.uuid4()
        event = OrderCreated(
            metadata=new_metadata(app.name, correlation_id=order_id),
            order_id=order_id,
            customer_id=body.customer_id,
            items=[
                OrderLine(
                    sku=i.sku,
                    quantity=i.quantity,
                    unit_price=i.unit_price.quantize(Decimal("0.01")),
                )
                for i in body.items
            ],
            total=body.total(),
            currency=body.currency,
            payment_token=body.payment_token,
            note=body.note,
        )
        UnitOfWork(conn, app.serde, app.name).publish(event)
        return store.project(conn, event, OrderCreated.TOPICS[0])

    @api.get("/orders", response_model=OrderList, responses={422: ERRORS[422]})
    def list_orders(
        status: Annotated[
            OrderStatus | None, Query(description="Only orders in this status.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> OrderList:
        orders = [Order.of(s) for s in store.list_orders(app.db, status, limit)]
        return OrderList(count=len(orders), orders=orders)

    lookups = {404: ERRORS[404], 422: ERRORS[422]}

    @api.get("/orders/{order_id}", response_model=Order, responses=lookups)
    def get_order(order_id: uuid.UUID) -> Order:
        return Order.of(_existing(order_id))

    @api.get("/orders/{order_id}/events", response_model=Timeline, responses=lookups)
    def get_timeline(order_id: uuid.UUID) -> Timeline:
        _existing(order_id)
        entries = [TimelineEntry(**vars(row)) for row in store.timeline(app.db, order_id)]
        return Timeline(order_id=order_id, events=entries)

    def _existing(order_id: uuid.UUID) -> OrderState:
        state = store.get_order(app.db, order_id)
        if state is None:
            raise HTTPException(404, f"order {order_id} not found")
        return state

    return api


def _relay(app: ServiceApp) -> None:
    """Send the outbox now; if the broker is away, the consumer loop's relay sends it later."""
    if app.relay is None:
        return
    try:
        app.relay.request()
    except Exception as exc:  # committed in the outbox: it goes out on the next relay
        get_logger().warning("outbox relay failed; will retry", error=str(exc)[:300])
