"""Notification's wiring and settings: the customers group, the saga events group and one sender
group per channel and priority (see handlers.py), and the customers' preferred channels, loaded
once at start-up from NOTIFICATION_PREFERENCES_FILE (the packaged preferences.json if unset)."""

from __future__ import annotations

import json
from pathlib import Path

from services.events import Channel, Notification, OrderCreated, Priority
from services.notification import domain, handlers, store
from services.runtime.app import ServiceApp
from services.runtime.logging import get_logger
from services.runtime.settings import Settings
from services.runtime.unit_of_work import UnitOfWork

DEFAULT_PREFERENCES_FILE = Path(__file__).with_name("preferences.json")
CUSTOMERS_GROUP = "notification-customers"


class NotificationSettings(Settings):
    """NOTIFICATION_PREFERENCES_FILE: customer id -> preferred channel (JSON)."""

    notification_preferences_file: Path | None = None


def load_preferences(path: Path) -> dict[str, Channel]:
    preferences = domain.parse_preferences(json.loads(path.read_text()))
    get_logger().info("notification preferences loaded", path=str(path), customers=len(preferences))
    return preferences


def create_app(settings: NotificationSettings) -> ServiceApp:
    app = ServiceApp("notification", settings=settings, migrations=store.MIGRATIONS)
    for priority in Priority:
        app.publisher(Notification, domain.topic_for(priority))  # high_/low_priority_notifications

    preferences: dict[str, Channel] = {}  # customer_id -> channel, this app's own

    @app.on_startup
    def load(app: ServiceApp) -> None:
        path = settings.notification_preferences_file or DEFAULT_PREFERENCES_FILE
        preferences.clear()
        preferences.update(load_preferences(Path(path)))

    app.subscriber(OrderCreated, group=CUSTOMERS_GROUP)(handlers.remember_customer)

    def notify(event: domain.SagaEvent, uow: UnitOfWork) -> None:
        handlers.notify(event, uow, preferences)

    for event_type in domain.SAGA_EVENTS:
        app.subscriber(event_type, group="notification")(notify)

    for channel in Channel:
        send = handlers.make_sender(channel)
        for priority in Priority:
            app.subscriber(
                Notification,
                topic=domain.topic_for(priority),
                group=domain.sender_group(channel, priority),
                accepts=handlers.for_channel(channel),
                accepts_header=(domain.CHANNEL_HEADER, channel.value),
            )(send)
    return app
