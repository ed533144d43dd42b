"""What to tell the customer about each saga event, how urgently, and on which channel.

Pure functions: no I/O, no Kafka.  `describe(event)` is the one entry point the handlers use.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from services.events import (
    CancellationReason,
    Channel,
    DeclineReason,
    InventoryFailed,
    InventoryReserved,
    OrderCancelled,
    OrderCreated,
    OrderDelivered,
    OrderPaid,
    OrderShipped,
    PaymentFailed,
    PaymentRefunded,
    Priority,
)

SagaEvent = (
    OrderCreated
    | OrderPaid
    | PaymentFailed
    | InventoryReserved
    | InventoryFailed
    | PaymentRefunded
    | OrderCancelled
    | OrderShipped
    | OrderDelivered
)

# Failures, cancellations and the end of the journey must never wait behind routine news.
HIGH_PRIORITY_EVENTS: frozenset[type[SagaEvent]] = frozenset(
    {PaymentFailed, InventoryFailed, PaymentRefunded, OrderCancelled, OrderDelivered}
)

TOPIC_BY_PRIORITY: dict[Priority, str] = {
    Priority.HIGH: "high_priority_notifications",
    Priority.LOW: "low_priority_notifications",
}

DEFAULT_CHANNEL = Channel.EMAIL

DECLINE_TEXT: dict[DeclineReason, str] = {
    DeclineReason.AMOUNT_LIMIT_EXCEEDED: "the amount is above the card's limit",
    DeclineReason.CARD_DECLINED: "the card was declined",
    DeclineReason.INSUFFICIENT_FUNDS: "insufficient funds",
    DeclineReason.UNKNOWN: "the payment provider gave no reason",
}

CANCELLATION_TEXT: dict[CancellationReason, str] = {
    CancellationReason.PAYMENT_FAILED: "the payment failed",
    CancellationReason.OUT_OF_STOCK: "some items were out of stock",
    CancellationReason.UNKNOWN: "of a problem with the order",
}


class Message(NamedTuple):
    priority: Priority
    title: str
    body: str


def short_id(order_id: object) -> str:
    """The first 8 characters of the order id: enough for a customer to recognise it."""
    return str(order_id)[:8]


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f} {currency}"


def priority_of(event_type: type[SagaEvent]) -> Priority:
    return Priority.HIGH if event_type in HIGH_PRIORITY_EVENTS else Priority.LOW


def topic_for(priority: Priority) -> str:
    return TOPIC_BY_PRIORITY[priority]


# The Kafka header naming a notification's channel: each sender group skips the other channels'
# notifications by it, before decoding them.
CHANNEL_HEADER = "channel"


def sender_group(channel: Channel, priority: Priority) -> str:
    """The group sending `channel` notifications of `priority`, e.g. notification-sms-high."""
    return f"notification-{channel.value.lower()}-{priority.value.lower()}"


def channel_for(customer_id: str, preferences: Mapping[str, Channel]) -> Channel:
    return preferences.get(customer_id, DEFAULT_CHANNEL)


def parse_preferences(raw: object) -> dict[str, Channel]:
    """{"alice": "EMAIL", ...} -> {"alice": Channel.EMAIL}; a bad entry fails naming it."""
    if not isinstance(raw, dict):
        raise ValueError("notification preferences must be a JSON object: customer_id -> channel")
    prefs: dict[str, Channel] = {}
    for customer_id, channel in raw.items():
        try:
            prefs[str(customer_id)] = Channel(str(channel).upper())
        except ValueError:
            choices = ", ".join(c.value for c in Channel)
            raise ValueError(
                f"customer {customer_id!r}: unknown channel {channel!r} (choose {choices})"
            ) from None
    return prefs


# -- texts, one function per saga event ------------------------------------------------------


def _created(e: OrderCreated) -> tuple[str, str]:
    units = sum(line.quantity for line in e.items)
    return (
        f"Order {short_id(e.order_id)} received",
        f"Thank you! We received your order {short_id(e.order_id)}: {units} item(s), "
        f"{money(e.total, e.currency)} in total. We will confirm once the payment goes through.",
    )


def _paid(e: OrderPaid) -> tuple[str, str]:
    return (
        f"Payment received for order {short_id(e.order_id)}",
        f"Payment received for order {short_id(e.order_id)}: {money(e.amount, e.currency)} "
        f"(payment {e.payment_id}). We are now reserving your items.",
    )


def _payment_failed(e: PaymentFailed) -> tuple[str, str]:
    return (
        f"Payment declined for order {short_id(e.order_id)}",
        f"Your payment of {money(e.amount, e.currency)} for order {short_id(e.order_id)} "
        f"was declined: {DECLINE_TEXT[e.reason]} ({e.detail}). Nothing was charged.",
    )


def _reserved(e: InventoryReserved) -> tuple[str, str]:
    lines = ", ".join(f"{line.quantity} x {line.sku}" for line in e.lines)
    return (
        f"Items reserved for order {short_id(e.order_id)}",
        f"Everything in order {short_id(e.order_id)} is reserved for you ({lines}). "
        "It will ship soon.",
    )


def _inventory_failed(e: InventoryFailed) -> tuple[str, str]:
    return (
        f"Items out of stock for order {short_id(e.order_id)}",
        f"Sorry, we could not reserve order {short_id(e.order_id)}: out of stock: "
        f"{', '.join(e.missing_skus)} ({e.detail}). Your payment will be refunded.",
    )


def _refunded(e: PaymentRefunded) -> tuple[str, str]:
    return (
        f"Refund issued for order {short_id(e.order_id)}",
        f"We refunded {money(e.amount, e.currency)} for order {short_id(e.order_id)} "
        f"(payment {e.payment_id}): {e.reason}.",
    )


def _cancelled(e: OrderCancelled) -> tuple[str, str]:
    return (
        f"Order {short_id(e.order_id)} cancelled",
        f"Your order {short_id(e.order_id)} was cancelled because {CANCELLATION_TEXT[e.reason]}"
        f" ({e.detail}).",
    )


def _shipped(e: OrderShipped) -> tuple[str, str]:
    return (
        f"Order {short_id(e.order_id)} shipped",
        f"Your order is on its way: tracking {e.tracking_number} with {e.carrier} "
        f"(order {short_id(e.order_id)}).",
    )


def _delivered(e: OrderDelivered) -> tuple[str, str]:
    when = e.delivered_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Order {short_id(e.order_id)} delivered",
        f"Your order {short_id(e.order_id)} was delivered on {when}. Enjoy!",
    )


# Each function takes the event class it is keyed by (a typed dict cannot say so: Any).
TEXTS: dict[type[SagaEvent], Callable[[Any], tuple[str, str]]] = {
    OrderCreated: _created,
    OrderPaid: _paid,
    PaymentFailed: _payment_failed,
    InventoryReserved: _reserved,
    InventoryFailed: _inventory_failed,
    PaymentRefunded: _refunded,
    OrderCancelled: _cancelled,
    OrderShipped: _shipped,
    OrderDelivered: _delivered,
}

SAGA_EVENTS: tuple[type[SagaEvent], ...] = tuple(TEXTS)


def describe(event: SagaEvent) -> Message:
    """The notification a saga event becomes: (priority, title, body)."""
    try:
        texts = TEXTS[type(event)]
    except KeyError:
        raise TypeError(f"no notification for {type(event).__name__}") from None
    title, body = texts(event)
    return Message(priority_of(type(event)), title, body)
