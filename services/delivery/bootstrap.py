"""Delivery's wiring and settings: OrderCreated (in a group of its own) and OrderShipped ->
(simulated travel) -> OrderDelivered."""

from __future__ import annotations

from services.delivery import store
from services.delivery.handlers import deliver_order, remember_order, travel_time_left
from services.events import OrderCreated, OrderDelivered, OrderShipped
from services.runtime.app import ServiceApp
from services.runtime.settings import Settings

ORDERS_GROUP = "delivery-orders"


class DeliverySettings(Settings):
    """DELIVERY_DELAY_S: the simulated travel time of a shipment, at most (0 in tests)."""

    delivery_delay_s: float = 0.5


def create_app(settings: DeliverySettings) -> ServiceApp:
    app = ServiceApp("delivery", settings=settings, migrations=store.MIGRATIONS)
    app.publisher(OrderDelivered)
    app.subscriber(OrderCreated, group=ORDERS_GROUP)(remember_order)

    def travel(event: OrderShipped) -> float:
        return travel_time_left(event, settings.delivery_delay_s)

    app.subscriber(OrderShipped, wait=travel)(deliver_order)

    return app
