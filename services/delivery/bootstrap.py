"""Delivery's wiring and settings: OrderCreated (in a group of its own) and OrderShipped ->
(simulated travel) -> OrderDelivered."""

from __future__ import annotations

from services.delivery import store
from services.delivery.handlers import deliver_order, remember_order
from services.events import OrderCreated, OrderDelivered, OrderShipped
from services.runtime.app import ServiceApp
from services.runtime.settings import Settings
from services.runtime.unit_of_work import UnitOfWork

ORDERS_GROUP = "delivery-orders"


class DeliverySettings(Settings):
    """DELIVERY_DELAY_S: the simulated travel time of a shipment, at most (0 in tests)."""

    delivery_delay_s: float = 0.5


def create_app(settings: DeliverySettings) -> ServiceApp:
    app = ServiceApp("delivery", settings=settings, schema_sql=store.SCHEMA)
    app.publisher(OrderDelivered)
    app.subscriber(OrderCreated, group=ORDERS_GROUP)(remember_order)

    @app.subscriber(OrderShipped)
    def on_order_shipped(event: OrderShipped, uow: UnitOfWork) -> None:
        deliver_order(event, uow, settings.delivery_delay_s)

    return app
