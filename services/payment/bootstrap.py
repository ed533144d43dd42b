"""Payment's wiring and settings: OrderCreated -> charge, InventoryFailed -> refund."""

from __future__ import annotations

from services.events import InventoryFailed, OrderCreated, OrderPaid, PaymentFailed, PaymentRefunded
from services.payment import store
from services.payment.domain import Gateway
from services.payment.handlers import charge_order, refund_order
from services.runtime.app import ServiceApp
from services.runtime.settings import Settings
from services.runtime.unit_of_work import UnitOfWork


class PaymentSettings(Settings):
    """The simulated gateway: PAYMENT_AMOUNT_LIMIT, PAYMENT_DECLINED_TOKENS (comma-separated)."""

    payment_amount_limit: str = "5000.00"
    payment_declined_tokens: str = "tok_declined,tok_insufficient_funds"


def create_app(settings: PaymentSettings) -> ServiceApp:
    app = ServiceApp("payment", settings=settings, migrations=store.MIGRATIONS)
    gateway = Gateway.from_settings(settings.payment_amount_limit, settings.payment_declined_tokens)
    app.publisher(OrderPaid)
    app.publisher(PaymentFailed)
    app.publisher(PaymentRefunded)

    @app.subscriber(OrderCreated)
    def on_order_created(event: OrderCreated, uow: UnitOfWork) -> None:
        charge_order(event, uow, gateway)

    app.subscriber(InventoryFailed)(refund_order)
    return app
