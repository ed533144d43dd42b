"""`python -m services.declarations`: what each service subscribes to and publishes, as JSON.

Builds every service's app the way `python -m services.<name>` does (settings from the
environment) without starting it: nothing is opened or connected.  Prints

    {service: {"subscribes": [{"topic": ..., "group": ...}], "publishes": [topic, ...]}}

for checking against contracts/catalog.yaml's owners and consumers, and for the docs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from services.delivery.bootstrap import DeliverySettings
from services.delivery.bootstrap import create_app as create_delivery
from services.inventory.bootstrap import InventorySettings
from services.inventory.bootstrap import create_app as create_inventory
from services.notification.bootstrap import NotificationSettings
from services.notification.bootstrap import create_app as create_notification
from services.order.bootstrap import create_app as create_order
from services.payment.bootstrap import PaymentSettings
from services.payment.bootstrap import create_app as create_payment
from services.runtime.app import ServiceApp
from services.runtime.settings import Settings
from services.shipping.bootstrap import create_app as create_shipping

# Every service, in the saga's order, with the settings its `__main__` reads.
APP_FACTORIES: dict[str, Callable[[], ServiceApp]] = {
    "order": lambda: create_order(Settings()),
    "payment": lambda: create_payment(PaymentSettings()),
    "inventory": lambda: create_inventory(InventorySettings()),
    "shipping": lambda: create_shipping(Settings()),
    "delivery": lambda: create_delivery(DeliverySettings()),
    "notification": lambda: create_notification(NotificationSettings()),
}


def build_apps() -> dict[str, ServiceApp]:
    """Every service's app, built and not started."""
    return {name: make() for name, make in APP_FACTORIES.items()}


def declarations() -> dict[str, dict[str, Any]]:
    return {name: app.declarations() for name, app in build_apps().items()}


def main() -> None:
    print(json.dumps(declarations(), indent=2))


if __name__ == "__main__":
    main()
