"""Notification's handlers: saga events -> notifications -> one sender per channel.

Group `notification` turns every saga event into one Notification on the high or low priority
topic.  Group `notification-customers` only learns order -> customer from OrderCreated: it runs on
its own consumer thread, so an event that overtook its OrderCreated (another topic) and is being
retried in `notification` (UnknownOrderError; `retries_exhausted:unknown_order` in the DLQ if the
order never appears) is healed by it instead of blocking behind itself.

Then, as in the original design, each channel sends its own notifications, and high priority is
consumed apart from low: six groups `notification-{email,sms,push}-{high,low}`, each on its own
thread, all running the same sender parameterised by channel.  Each group accepts only its
channel's notifications: by the `channel` header the notification is published with, the runtime
skips the others before even decoding them (`for_channel` judges those without the header, once
decoded).  The header is trusted: only our outbox writes it, and one that contradicts its payload
is sent by nobody (skipped by one group, refused by `for_channel` in the other).  The groups are
wired in bootstrap.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.events import Channel, Notification, OrderCreated
from services.notification import domain, store
from services.runtime.logging import get_logger
from services.runtime.processor import Handler
from services.runtime.unit_of_work import UnitOfWork, now_utc
from services.saga.known_orders import UnknownOrderError


def remember_customer(event: OrderCreated, uow: UnitOfWork) -> None:
    store.remember_order(uow.conn, str(event.order_id), event.customer_id)


def notify(event: domain.SagaEvent, uow: UnitOfWork, preferences: Mapping[str, Channel]) -> None:
    """Publish the notification `event` becomes, to the customer's preferred channel."""
    order_id = str(event.order_id)
    if isinstance(event, OrderCreated):
        store.remember_order(uow.conn, order_id, event.customer_id)
    customer_id = store.customer_of(uow.conn, order_id)
    if customer_id is None:
        raise UnknownOrderError(
            f"order {order_id} is not known yet: its OrderCreated has not arrived "
            f"(cannot notify about {type(event).__name__})"
        )
    message = domain.describe(event)
    notification = Notification(
        metadata=uow.next_metadata(),
        order_id=event.order_id,
        customer_id=customer_id,
        channel=domain.channel_for(customer_id, preferences),
        priority=message.priority,
        source_event=type(event).__name__,
        title=message.title,
        body=message.body,
    )
    uow.publish(
        notification,
        topic=domain.topic_for(message.priority),
        headers={domain.CHANNEL_HEADER: notification.channel.value},
    )


def for_channel(channel: Channel) -> Callable[[Notification], bool]:
    """Whether a notification is `channel`'s: its group skips the others before any
    transaction (two thirds of each topic), instead of recording them in its inbox."""

    def accepts(notification: Notification) -> bool:
        return notification.channel is channel

    return accepts


def make_sender(channel: Channel) -> Handler[Notification]:
    """The sender of `channel`: skips other channels, records what it sends, sends it once."""

    def send(notification: Notification, uow: UnitOfWork) -> None:
        if notification.channel is not channel:
            return
        fields: dict[str, Any] = {
            "order_id": str(notification.order_id),
            "channel": channel.value,
            "priority": notification.priority.value,
            "title": notification.title,
        }
        log = get_logger()  # per call: logging is configured after import
        if not store.record_sent(uow.conn, notification, now_utc()):
            log.debug("notification already sent", **fields)
            return
        # The sink of this simulation: the log line is the message the customer gets.
        log.info(
            "Notification sent",
            **fields,
            customer_id=notification.customer_id,
            body=notification.body,
            notification_id=str(notification.metadata.event_id),
        )

    send.__name__ = send.__qualname__ = f"send_{channel.value.lower()}"
    return send
