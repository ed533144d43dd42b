"""The order API's request and response bodies (pydantic, documented in its OpenAPI schema).

Bad input is refused here, field by field, before any use case runs: lengths, ranges, two decimal
places, an ISO currency code, valid Unicode. The document says exactly what is accepted (a client
generated from it never sends what is refused): every rule is one a JSON Schema can state, so the
bounds on lines, quantities and prices are chosen to keep any order's total within decimal(14, 2).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import uuid
from decimal import Decimal
from typing import Annotated

import pydantic

from services.order.domain import MAX_TOTAL, Line, OrderState, OrderStatus, order_total
from services.order.service import PlaceOrder


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

MAX_LINES = 100
MAX_QUANTITY = 100_000
MAX_UNIT_PRICE = Decimal("99999.99")
# The largest order (every bound at once) still fits the wire's decimal(14, 2).
assert MAX_LINES * MAX_QUANTITY * MAX_UNIT_PRICE <= MAX_TOTAL

# A price: a string of up to 5 digits and 2 decimals, above zero, or a whole number of units.
PRICE_PATTERN = r"^(?=.*[1-9])[0-9]{1,5}(\.[0-9]{1,2})?$"
_PRICE_TEXT = re.compile(PRICE_PATTERN)
PRICE_RULE = (
    'a positive amount of at most 99999.99 with at most 2 decimal places, as a string ("12.50") '
    "or a whole number (12)"
)


def _whole(value: object) -> object:
    """JSON Schema's integer: `2.0` is one (strict fields refuse `"2"` and `true`)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _price(value: object) -> Decimal:
    value = _whole(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_UNIT_PRICE:
        return Decimal(value)
    if isinstance(value, str) and _PRICE_TEXT.fullmatch(value):
        return Decimal(value)
    raise ValueError(f"must be {PRICE_RULE}")


Price = Annotated[
    Decimal,
    pydantic.BeforeValidator(_price),
    pydantic.WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": PRICE_PATTERN},
                {"type": "integer", "minimum": 1, "maximum": int(MAX_UNIT_PRICE)},
            ],
            "description": f"Price of one unit: {PRICE_RULE}.",
        },
        mode="validation",
    ),
]


# -- request ---------------------------------------------------------------------------------------


class OrderLineIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    sku: Sku = pydantic.Field(description="Stock keeping unit.")
    quantity: Annotated[
        int,
        pydantic.Field(ge=1, le=MAX_QUANTITY, strict=True, description="Units, 1 to 100000."),
        pydantic.BeforeValidator(_whole),
    ]
    unit_price: Price


EXAMPLE_ORDER: dict[str, pydantic.JsonValue] = {
    "customer_id": "c-42",
    "items": [{"sku": "SKU-BOOK", "quantity": 2, "unit_price": "12.50"}],
    "currency": "EUR",
    "payment_token": "tok_visa",
}


class CreateOrder(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(
        extra="forbid", json_schema_extra={"examples": [EXAMPLE_ORDER]}
    )

    customer_id: CustomerId = pydantic.Field(description="Id of the customer.")
    items: list[OrderLineIn] = pydantic.Field(min_length=1, max_length=MAX_LINES)
    currency: str = pydantic.Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR.")
    payment_token: PaymentToken = pydantic.Field(description="Payment method token.")
    note: Note | None = None

    def total(self) -> Decimal:
        return order_total((i.quantity, i.unit_price) for i in self.items)

    def fingerprint(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def to_command(self, idempotency_key: str | None) -> PlaceOrder:
        return PlaceOrder(
            customer_id=self.customer_id,
            lines=tuple(Line(**i.model_dump()) for i in self.items),
            currency=self.currency,
            payment_token=self.payment_token,
            note=self.note,
            request_hash=self.fingerprint(),
            idempotency_key=idempotency_key,
        )


# -- responses -------------------------------------------------------------------------------------


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


class OrderCounts(pydantic.BaseModel):
    total: int
    by_status: dict[str, int] = pydantic.Field(description="Orders per current status.")


class TimelineEntry(pydantic.BaseModel):
    event_id: uuid.UUID
    event_type: str
    topic: str
    occurred_at: datetime.datetime
    summary: str


class Timeline(pydantic.BaseModel):
    order_id: uuid.UUID
    events: list[TimelineEntry]


class FieldError(pydantic.BaseModel):
    field: str = pydantic.Field(description="Path of the field, e.g. body.items.0.quantity.")
    reason: str
    type: str


class ErrorBody(pydantic.BaseModel):
    detail: str
    errors: list[FieldError] = []
