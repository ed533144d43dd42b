"""Shipping's wiring: OrderCreated (in a group of its own) and InventoryReserved -> OrderShipped."""

from __future__ import annotations

from services.events import InventoryReserved, OrderCreated, OrderShipped
from services.runtime.app import ServiceApp
from services.runtime.settings import Settings
from services.shipping import store
from services.shipping.handlers import remember_order, ship_order

ORDERS_GROUP = "shipping-orders"


def create_app(settings: Settings) -> ServiceApp:
    app = ServiceApp("shipping", settings=settings, migrations=store.MIGRATIONS)
    app.publisher(OrderShipped)
    app.subscriber(OrderCreated, group=ORDERS_GROUP)(remember_order)
    app.subscriber(InventoryReserved)(ship_order)
    return app
