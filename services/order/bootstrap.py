"""The order service's wiring: its consumers, the events it publishes and its HTTP API.

Every order topic is read by the one group "order" (handlers.py); the API (api.py) places orders
through the service layer (service.py) and is served on ORDER_API_URL's host and port by `run()`.
"""

from __future__ import annotations

from services.events import OrderCancelled, OrderCreated, PaymentFailed, PaymentRefunded
from services.order import store
from services.order.api import create_api
from services.order.domain import ORDER_EVENT_TYPES
from services.order.handlers import compensate, project_event
from services.runtime.app import ServiceApp
from services.runtime.settings import Settings

REACTS_TO = (PaymentFailed, PaymentRefunded)  # the failures that cancel an order


def create_app(settings: Settings) -> ServiceApp:
    app = ServiceApp("order", settings=settings, migrations=store.MIGRATIONS)
    app.publisher(OrderCreated)
    app.publisher(OrderCancelled)
    for event_type in ORDER_EVENT_TYPES:
        app.subscriber(event_type)(compensate if event_type in REACTS_TO else project_event)
    app.serve_http(create_api(app), settings.order_api_url)
    return app
