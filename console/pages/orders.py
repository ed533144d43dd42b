"""/orders: the order list with filters, the place-order form, and one order's saga as a timeline
of every event on every topic for it, decoded, read from the broker."""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import pydantic
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from console.context import Console, console_of
from console.forms import Form, read_form
from console.pages import attempt
from console.sources.decoding import Decoded
from console.sources.orders import STATUSES, TERMINAL
from services.events import TOPIC_TYPES
from stack.trace import LABELS, describe

router = APIRouter()
LINES = 3  # order lines the form offers
SCAN_PER_PARTITION = 20_000  # how far back a timeline looks in each partition, at most
CLOCK_SKEW_S = 15  # events are looked for from this long before the order was created (clocks)


@router.get("/orders", response_class=HTMLResponse)
def orders_page(
    request: Request,
    status: Annotated[str, Query(max_length=32)] = "",
    customer: Annotated[str, Query(max_length=128)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> HTMLResponse:
    if status and status not in STATUSES:
        raise HTTPException(422, f"status {status[:32]!r} is not one of {', '.join(STATUSES)}")
    return _render_list(request, status, customer, limit, _blank_form(), {}, [], 200)


def _render_list(
    request: Request,
    status: str,
    customer: str,
    limit: int,
    form: dict[str, Any],
    errors: dict[str, str],
    general: list[str],
    code: int,
) -> HTMLResponse:
    console = console_of(request)
    orders, error = attempt(
        lambda: console.sources.orders.orders(status or None, customer or None, limit), []
    )
    return console.render(
        request,
        "orders.html",
        code,
        title="Orders",
        refresh_ms=5000,
        source=f"order API {console.sources.orders.url} (the order service's projection)",
        orders=orders,
        error=error,
        status=status,
        customer=customer,
        limit=limit,
        statuses=STATUSES,
        form=form,
        errors=errors,
        general=general,
    )


def _blank_form() -> dict[str, Any]:
    return {
        "customer_id": "",
        "currency": "EUR",
        "payment_token": "tok_visa",
        "note": "",
        "lines": [{"sku": "", "quantity": "", "unit_price": ""} for _ in range(LINES)],
        "idempotency_key": str(uuid.uuid4()),
    }


def _form_values(form: Form) -> dict[str, Any]:
    skus, quantities, prices = (form.getall(n) for n in ("sku", "quantity", "unit_price"))
    rows = max(LINES, len(skus), len(quantities), len(prices))
    at = lambda values, i: values[i] if i < len(values) else ""  # noqa: E731
    return {
        "customer_id": form.get("customer_id"),
        "currency": form.get("currency"),
        "payment_token": form.get("payment_token"),
        "note": form.get("note"),
        "lines": [
            {"sku": at(skus, i), "quantity": at(quantities, i), "unit_price": at(prices, i)}
            for i in range(min(rows, 100))
        ],
        "idempotency_key": form.get("idempotency_key") or str(uuid.uuid4()),
    }


def order_body(values: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """The order API's request body from the form, and the form row of each item sent (empty
    rows are left out).  Values go as typed; the API's own validation judges them."""
    items, rows = [], []
    for row, line in enumerate(values["lines"]):
        if not any(str(v).strip() for v in line.values()):
            continue
        quantity = line["quantity"].strip()
        items.append(
            {
                "sku": line["sku"],
                "quantity": int(quantity) if re.fullmatch(r"-?\d{1,18}", quantity) else quantity,
                "unit_price": line["unit_price"].strip(),
            }
        )
        rows.append(row)
    body: dict[str, Any] = {
        "customer_id": values["customer_id"],
        "items": items,
        "currency": values["currency"],
        "payment_token": values["payment_token"],
    }
    if values["note"]:
        body["note"] = values["note"]
    return body, rows


def form_errors(api_errors: dict[str, str], rows: list[int]) -> tuple[dict[str, str], list[str]]:
    """The API's field paths (body.items.1.quantity) as the form's (items.<row>.quantity); what
    names no form field is returned apart."""
    placed: dict[str, str] = {}
    general = []
    for path, reason in api_errors.items():
        parts = path.split(".")
        if parts[0] == "body" and len(parts) >= 2:
            parts = parts[1:]
            if parts[0] == "items" and len(parts) >= 2 and parts[1].isdigit():
                index = int(parts[1])
                parts[1] = str(rows[index]) if index < len(rows) else parts[1]
            name = ".".join(parts)
            if name in ("customer_id", "currency", "payment_token", "note", "items") or (
                parts[0] == "items" and len(parts) == 3
            ):
                placed[name] = reason
                continue
        general.append(f"{path}: {reason}")
    return placed, general


@router.post("/orders", response_model=None)
async def place_order(request: Request) -> Response:
    console = console_of(request)
    form = await read_form(request)
    console.policy.check(request, form.get("csrf"))
    values = _form_values(form)
    body, rows = order_body(values)
    placed = console.sources.orders.place(body, values["idempotency_key"])
    if placed.order is not None:
        return RedirectResponse(f"/orders/{placed.order['id']}", status_code=303)
    errors, general = form_errors(placed.field_errors, rows)
    if not errors and not general:
        general = [placed.detail or f"the order API answered {placed.status}"]
    status = placed.status if 400 <= placed.status < 500 else 502
    return _render_list(request, "", "", 100, values, errors, general, status)


# -- one order ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    decoded: Decoded
    type_name: str
    label: str
    summary: str
    event_id: str
    causation_id: str
    occurred_at: Any
    producer: str


def timeline(console: Console, order_id: uuid.UUID, created_at: str | None) -> dict[str, Any]:
    since_ms = None
    if created_at:
        created = datetime.datetime.fromisoformat(created_at)
        since_ms = int((created.timestamp() - CLOCK_SKEW_S) * 1000)
    records, scanned = console.sources.broker.with_key(
        sorted(TOPIC_TYPES), str(order_id).encode(), SCAN_PER_PARTITION, since_ms
    )
    events = [_event(console.sources.decoder.decode(r)) for r in records]
    events.sort(key=lambda e: (str(e.occurred_at or ""), e.decoded.timestamp_ms))
    return {
        "events": events,
        "by_id": {e.event_id: e for e in events if e.event_id},
        "scanned": sum(stop - start for start, stop in scanned.values()),
        "partitions": len(scanned),
        "since_ms": since_ms,
    }


def _event(decoded: Decoded) -> TimelineEvent:
    event_type = TOPIC_TYPES.get(decoded.topic)
    name = event_type.__name__ if event_type else decoded.topic
    summary = ""
    if event_type is not None and decoded.record is not None:
        try:
            summary = describe(event_type.model_validate(decoded.record))
        except pydantic.ValidationError as exc:
            summary = f"(does not fit {name}: {exc.error_count()} errors)"
    meta = decoded.field("metadata") or {}
    return TimelineEvent(
        decoded=decoded,
        type_name=name,
        label=LABELS.get(event_type, name) if event_type else name,
        summary=summary,
        event_id=str(meta.get("event_id") or ""),
        causation_id=str(meta.get("causation_id") or ""),
        occurred_at=meta.get("occurred_at"),
        producer=str(meta.get("producer") or ""),
    )


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_page(request: Request, order_id: uuid.UUID) -> HTMLResponse:
    console = console_of(request)
    order, order_error = attempt(lambda: console.sources.orders.get(str(order_id)), None)
    recorded, _ = attempt(lambda: console.sources.orders.recorded_events(str(order_id)), [])
    created_at = order.get("created_at") if order else None
    found, error = attempt(lambda: timeline(console, order_id, created_at), None)
    if order is None and not order_error and found is not None and not found["events"]:
        raise HTTPException(404, f"no order {order_id}: the order API and the topics know none")
    status = order.get("status") if order else None
    return console.render(
        request,
        "order.html",
        title=f"Order {order_id}",
        source=f"broker {console.sources.broker.bootstrap} (every saga topic, by key); order "
        f"API {console.sources.orders.url} (status); registry {console.sources.registry.url}",
        order_id=str(order_id),
        order=order,
        order_error=order_error,
        recorded=len(recorded),
        timeline=found,
        error=error,
        done=status in TERMINAL,
        refresh_ms=2000,
        live_done=status in TERMINAL,
        skew_s=CLOCK_SKEW_S,
    )
