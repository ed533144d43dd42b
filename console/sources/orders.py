"""The order service's HTTP API: the order projection, counts per status, and placing orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from services.order.domain import TERMINAL as TERMINAL_STATUSES
from services.order.domain import OrderStatus

# The order service's own status names (its API publishes the same enum).
STATUSES = tuple(s.value for s in OrderStatus)
TERMINAL = frozenset(s.value for s in TERMINAL_STATUSES)


# The fields of the API's Order; ones an API version leaves out read as empty.
ORDER_FIELDS = (
    "id", "status", "customer_id", "items", "total", "currency", "note", "created_at",
    "updated_at", "payment_id", "missing_skus", "tracking_number", "carrier",
    "cancellation_reason", "cancellation_detail",
)  # fmt: skip


def normalized_order(body: Any) -> dict[str, Any]:
    order: dict[str, Any] = dict.fromkeys(ORDER_FIELDS)
    order.update(body if isinstance(body, dict) else {})
    order["items"] = order["items"] or []
    order["missing_skus"] = order["missing_skus"] or []
    return order


class OrdersUnavailable(Exception):
    """No usable answer from the order API."""


@dataclass(frozen=True)
class Placed:
    """The order API's answer to POST /orders: the order, or its reasons per field."""

    status: int
    order: dict[str, Any] | None = None
    detail: str = ""
    field_errors: dict[str, str] = field(default_factory=dict)  # API field path -> reason


class OrdersSource:
    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.client = httpx.Client(base_url=self.url, timeout=timeout_s)

    def _get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        try:
            return self.client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise OrdersUnavailable(f"order API {self.url}: {exc}") from exc

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            detail = _detail(response)
            raise OrdersUnavailable(f"order API {self.url}: {response.status_code} {detail}")
        return response.json()

    def orders(
        self, status: str | None = None, customer: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        if customer:
            params["customer_id"] = customer
        return [normalized_order(o) for o in self._json(self._get("/orders", params))["orders"]]

    def get(self, order_id: str) -> dict[str, Any] | None:
        response = self._get(f"/orders/{order_id}")
        return None if response.status_code == 404 else normalized_order(self._json(response))

    def counts(self) -> dict[str, int]:
        return dict(self._json(self._get("/orders/counts"))["by_status"])

    def recorded_events(self, order_id: str) -> list[dict[str, Any]]:
        """The events the order service itself recorded for the order (its own timeline)."""
        response = self._get(f"/orders/{order_id}/events")
        if response.status_code == 404:
            return []
        return [dict(e) for e in self._json(response)["events"]]

    def place(self, body: dict[str, Any], idempotency_key: str) -> Placed:
        try:
            response = self.client.post(
                "/orders", json=body, headers={"Idempotency-Key": idempotency_key}
            )
        except httpx.HTTPError as exc:
            raise OrdersUnavailable(f"order API {self.url}: {exc}") from exc
        if response.status_code in (200, 201):
            return Placed(response.status_code, order=response.json())
        errors: dict[str, str] = {}
        try:
            for err in response.json().get("errors") or []:
                errors.setdefault(str(err.get("field")), str(err.get("reason")))
        except (ValueError, AttributeError):
            pass
        return Placed(response.status_code, detail=_detail(response), field_errors=errors)


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", ""))[:500]
    except (ValueError, AttributeError):
        return response.text[:500]
