"""The order service's HTTP API (FastAPI): place orders, read the projection and timelines.

Routes parse and answer; placing an order is the service layer's `place_order` (service.py), the
bodies are in dto.py.  `create_api(app)` builds it over a ServiceApp, so tests bind a TestBus to
the app first.  Bad input always gets a 4xx whose body names each field and the reason; never a 5xx.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from dbkit import TransientDatabaseError
from services.order import service, store
from services.order.domain import OrderState, OrderStatus
from services.order.dto import (
    CreateOrder,
    CustomerId,
    ErrorBody,
    FieldError,
    Order,
    OrderCounts,
    OrderList,
    Timeline,
    TimelineEntry,
)
from services.order.service import IdempotencyKeyReused
from services.runtime.app import ServiceApp
from services.runtime.errors import TransientError
from services.runtime.http import allowed_methods
from services.runtime.logging import get_logger
from services.runtime.ops_routes import add_ops_routes
from services.runtime.unit_of_work import UnitOfWork

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not valid JSON."},
    404: {"model": ErrorBody, "description": "No such order."},
    422: {"model": ErrorBody, "description": "Invalid input; `errors` names each field."},
}


# OpenAPI links (schemathesis' stateful phase follows them): a placed order can be read back.
PLACED_LINKS = {
    "GetOrder": {
        "operationRef": "#/paths/~1orders~1{order_id}/get",
        "parameters": {"order_id": "$response.body#/id"},
    },
    "GetTimeline": {
        "operationRef": "#/paths/~1orders~1{order_id}~1events/get",
        "parameters": {"order_id": "$response.body#/id"},
    },
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

    @api.exception_handler(IdempotencyKeyReused)
    async def key_reused(request: Request, exc: IdempotencyKeyReused) -> JSONResponse:
        errors = [FieldError(field="header.Idempotency-Key", reason=exc.reason, type="conflict")]
        return _error(422, str(exc), errors)

    @api.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        response = _error(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = allowed_methods(api.openapi(), request.url.path)
        return response

    @api.exception_handler(TransientError)
    @api.exception_handler(TransientDatabaseError)
    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        get_logger().warning("service unavailable", error=str(exc)[:300])
        return _error(503, f"temporarily unavailable: {exc}")

    add_ops_routes(api, lambda: app.ops)  # /health, /health/ready, /metrics on the API port too

    @api.post(
        "/orders",
        status_code=201,
        response_model=Order,
        responses={
            201: {"links": PLACED_LINKS},
            200: {
                "model": Order,
                "description": "Repeated request (same Idempotency-Key).",
                "links": PLACED_LINKS,
            },
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
        command = body.to_command(idempotency_key)
        # one request per Idempotency-Key at a time, in every instance of the service
        lock = f"idempotency:{idempotency_key}" if idempotency_key else None
        with app.db.transaction(lock=lock) as conn:
            placed = service.place_order(command, UnitOfWork(conn, app.serde, app.name))
        state = placed.state
        if placed.created:
            _relay(app)
            get_logger().info("order placed", order_id=str(state.order_id), total=str(state.total))
        return JSONResponse(
            status_code=201 if placed.created else 200,
            content=Order.of(state).model_dump(mode="json"),
            headers={"Location": f"/orders/{state.order_id}"},
        )

    @api.get("/orders", response_model=OrderList, responses={422: ERRORS[422]})
    def list_orders(
        status: Annotated[
            OrderStatus | None, Query(description="Only orders in this status.")
        ] = None,
        customer_id: Annotated[
            CustomerId | None, Query(description="Only orders of this customer.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> OrderList:
        orders = [Order.of(s) for s in store.list_orders(app.db, status, limit, customer_id)]
        return OrderList(count=len(orders), orders=orders)

    @api.get("/orders/counts", response_model=OrderCounts)
    def count_orders() -> OrderCounts:
        by_status = store.count_by_status(app.db)
        return OrderCounts(total=sum(by_status.values()), by_status=by_status)

    lookups: dict[int | str, dict[str, Any]] = {404: ERRORS[404], 422: ERRORS[422]}

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
