"""Notification service wiring.

Group `notification` turns every saga event into one Notification on the high or low priority
topic.  Group `notification-customers` only learns order -> customer from OrderCreated: it runs on
its own consumer thread, so an event that overtook its OrderCreated (another topic) and is being
retried in `notification` (UnknownOrderError; `retries_exhausted:unknown_order` in the DLQ if the
order never appears) is healed by it instead of blocking behind itself.

Then, as in the original design, each channel sends its own notifications, and high priority is
consumed apart from low: six groups `notification-{email,sms,push}-{high,low}`, each on its own
thread, all running the same sender parameterised by channel.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from services.events import Channel, Notification, OrderCreated, Priority
from services.notification import domain, store
from services.runtime.app import ServiceApp
from services.runtime.logging import get_logger
from services.runtime.processor import Handler
from services.runtime.unit_of_work import UnitOfWork, now_utc
from services.saga.known_orders import UnknownOrderError

DEFAULT_PREFERENCES_FILE = Path(__file__).with_name("preferences.json")

app = ServiceApp("notification", schema_sql=store.SCHEMA)
for _priority in Priority:
    app.publisher(Notification, domain.topic_for(_priority))  # high_/low_priority_notifications

# customer_id -> preferred channel, loaded once at start-up (see load_preferences).
preferences: dict[str, Channel] = {}


@app.on_startup
def load_preferences(app: ServiceApp) -> None:
    path = app.settings.notification_preferences_file or DEFAULT_PREFERENCES_FILE
    loaded = domain.parse_preferences(json.loads(Path(path).read_text()))
    preferences.clear()
    preferences.update(loaded)
    get_logger().info("notification preferences loaded", path=str(path), customers=len(loaded))


# -- saga events -> notifications ------------------------------------------------------------


@app.subscriber(OrderCreated, group="notification-customers")
def remember_customer(event: OrderCreated, uow: UnitOfWork) -> None:
    store.remember_order(uow.conn, str(event.order_id), event.customer_id)


def notify(event: domain.SagaEvent, uow: UnitOfWork) -> None:
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
    uow.publish(notification, topic=domain.topic_for(message.priority))


for _event_type in domain.SAGA_EVENTS:
    app.subscriber(_event_type, group="notification")(notify)


# -- senders: one group per channel and priority ---------------------------------------------


def make_sender(channel: Channel) -> Handler:
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


senders: dict[Channel, Handler] = {channel: make_sender(channel) for channel in Channel}
for _channel, _send in senders.items():
    for _priority in Priority:
        app.subscriber(
            Notification,
            topic=domain.topic_for(_priority),
            group=domain.sender_group(_channel, _priority),
        )(_send)
