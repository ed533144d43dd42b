"""Inventory's wiring and settings: stock seeded at start-up; OrderCreated (in a group of its own),
OrderPaid and OrderCancelled handled (see handlers.py for why the groups are split)."""

from __future__ import annotations

from pathlib import Path

from services.events import (
    InventoryFailed,
    InventoryReserved,
    OrderCancelled,
    OrderCreated,
    OrderPaid,
)
from services.inventory import store
from services.inventory.handlers import release_stock, remember_order, reserve_stock, seed_stock
from services.runtime.app import ServiceApp
from services.runtime.settings import Settings

ORDERS_GROUP = "inventory-orders"


class InventorySettings(Settings):
    """INVENTORY_SEED_FILE: the stock to start with (the packaged seed_stock.json if unset)."""

    inventory_seed_file: Path | None = None


def create_app(settings: InventorySettings) -> ServiceApp:
    app = ServiceApp("inventory", settings=settings, migrations=store.MIGRATIONS)
    app.publisher(InventoryReserved)
    app.publisher(InventoryFailed)

    @app.on_startup
    def seed(app: ServiceApp) -> None:
        seed_stock(app.db, settings.inventory_seed_file or store.DEFAULT_SEED_FILE)

    app.subscriber(OrderCreated, group=ORDERS_GROUP)(remember_order)
    app.subscriber(OrderPaid)(reserve_stock)
    app.subscriber(OrderCancelled)(release_stock)
    return app
