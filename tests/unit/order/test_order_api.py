"""The HTTP API over a TestBus-bound order service: placing, reading, validation, idempotency."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.events import OrderCreated
from services.runtime.testing import TestBus


def body(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "customer_id": "c-42",
        "items": [
            {"sku": "SKU-1", "quantity": 2, "unit_price": "10.50"},
            {"sku": "SKU-2", "quantity": 1, "unit_price": 3},
        ],
        "currency": "EUR",
        "payment_token": "tok_ok",
    }
    return base | overrides


def fields(resp: Any) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in resp.json()["errors"]}


def test_post_creates_a_pending_order_and_publishes_order_created(
    client: TestClient, bus: TestBus
) -> None:
    resp = client.post("/orders", json=body(note="leave at the door"))
    assert resp.status_code == 201, resp.text
    order = resp.json()
    assert order["status"] == "PENDING"
    assert order["total"] == "24.00"
    assert order["items"][0] == {"sku": "SKU-1", "quantity": 2, "unit_price": "10.50"}
    assert order["created_at"] and order["note"] == "leave at the door"
    assert resp.headers["location"] == f"/orders/{order['id']}"

    published = bus.events("order_created")  # relayed at once, no drain needed
    assert len(published) == 1
    event = published[0]
    assert isinstance(event, OrderCreated)
    assert str(event.order_id) == order["id"] == str(event.metadata.correlation_id)
    assert event.metadata.producer == "order" and event.payment_token == "tok_ok"

    assert client.get(f"/orders/{order['id']}").json() == order


def test_own_order_created_coming_back_changes_nothing(client: TestClient, bus: TestBus) -> None:
    order = client.post("/orders", json=body()).json()
    bus.drain()  # the order group consumes its own order_created
    again = client.get(f"/orders/{order['id']}").json()
    assert again == order
    timeline = client.get(f"/orders/{order['id']}/events").json()["events"]
    assert [e["event_type"] for e in timeline] == ["OrderCreated"]
    assert timeline[0]["topic"] == "order_created" and "24.00 EUR" in timeline[0]["summary"]


def test_idempotency_key_returns_the_same_order_with_200(client: TestClient, bus: TestBus) -> None:
    headers = {"Idempotency-Key": "abc-123"}
    first = client.post("/orders", json=body(), headers=headers)
    second = client.post("/orders", json=body(), headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert len(bus.events("order_created")) == 1
    assert client.get("/orders").json()["count"] == 1


def test_idempotency_key_reused_with_another_body_is_refused(client: TestClient) -> None:
    headers = {"Idempotency-Key": "abc-123"}
    assert client.post("/orders", json=body(), headers=headers).status_code == 201
    resp = client.post("/orders", json=body(customer_id="someone-else"), headers=headers)
    assert resp.status_code == 422
    assert "different request body" in fields(resp)["header.Idempotency-Key"]


def test_validation_errors_name_each_field(client: TestClient) -> None:
    bad = body(currency="eur", items=[{"sku": "", "quantity": 0, "unit_price": "1.005"}])
    resp = client.post("/orders", json=bad)
    assert resp.status_code == 422
    errs = fields(resp)
    assert set(errs) == {
        "body.currency",
        "body.items.0.sku",
        "body.items.0.quantity",
        "body.items.0.unit_price",
    }
    assert "greater than or equal to 1" in errs["body.items.0.quantity"]
    assert "decimal places" in errs["body.items.0.unit_price"]
    assert "body.items.0.quantity" in resp.json()["detail"]


def test_missing_fields_empty_items_and_unknown_fields_are_422(client: TestClient) -> None:
    assert "body.items" in fields(client.post("/orders", json=body(items=[])))
    missing = client.post("/orders", json={"items": []})
    assert {"body.customer_id", "body.currency", "body.payment_token"} <= set(fields(missing))
    assert "body.coupon" in fields(client.post("/orders", json=body(coupon="FREE")))
    assert client.post("/orders", content=b"{not json").status_code == 422


def test_the_largest_order_fits_decimal_14_2_and_larger_lines_are_422(client: TestClient) -> None:
    """Per-line bounds the OpenAPI document states keep every total within decimal(14, 2)."""
    largest = [{"sku": f"X{i}", "quantity": 100_000, "unit_price": "99999.99"} for i in range(100)]
    resp = client.post("/orders", json=body(items=largest))
    assert resp.status_code == 201, resp.text
    assert resp.json()["total"] == "999999900000.00"
    beyond = [{"sku": "X", "quantity": 100_001, "unit_price": "100000"}]
    errs = fields(client.post("/orders", json=body(items=beyond)))
    assert set(errs) == {"body.items.0.quantity", "body.items.0.unit_price"}


@pytest.mark.parametrize("price", ["12.50", "0.01", "7", 12, 12.0, "99999.99", 99999])
def test_unit_price_is_a_decimal_string_or_a_whole_number(client: TestClient, price: Any) -> None:
    line = {"sku": "S", "quantity": 1, "unit_price": price}
    assert client.post("/orders", json=body(items=[line])).status_code == 201


@pytest.mark.parametrize(
    "price", ["", "0", "0.00", "1.005", " 1", "1e3", "NaN", "-1", "100000", 12.5, 0, True, None]
)
def test_unit_price_outside_the_documented_forms_is_422(client: TestClient, price: Any) -> None:
    line = {"sku": "S", "quantity": 1, "unit_price": price}
    errs = fields(client.post("/orders", json=body(items=[line])))
    assert "body.items.0.unit_price" in errs


def test_lone_surrogates_are_422_not_500(client: TestClient) -> None:
    raw = b'{"customer_id": "\\ud800", "items": [{"sku": "a", "quantity": 1, "unit_price": 1}],'
    raw += b' "currency": "EUR", "payment_token": "t"}'
    resp = client.post("/orders", content=raw, headers={"content-type": "application/json"})
    assert resp.status_code == 422
    assert "body.customer_id" in fields(resp)


def test_unknown_order_is_404_with_reason_and_bad_id_is_422(client: TestClient) -> None:
    oid = uuid.uuid4()
    resp = client.get(f"/orders/{oid}")
    assert resp.status_code == 404 and str(oid) in resp.json()["detail"]
    assert client.get(f"/orders/{oid}/events").status_code == 404
    resp = client.get("/orders/not-a-uuid")
    assert resp.status_code == 422 and "path.order_id" in fields(resp)


def test_list_filters_by_status_and_limits(client: TestClient) -> None:
    ids = {client.post("/orders", json=body()).json()["id"] for _ in range(3)}
    listed = client.get("/orders", params={"status": "PENDING"}).json()
    assert listed["count"] == 3 and {o["id"] for o in listed["orders"]} == ids
    assert client.get("/orders", params={"status": "DELIVERED"}).json() == {
        "count": 0,
        "orders": [],
    }
    assert client.get("/orders", params={"limit": 2}).json()["count"] == 2
    resp = client.get("/orders", params={"status": "LOST"})
    assert resp.status_code == 422 and "query.status" in fields(resp)
    assert client.get("/orders", params={"limit": 0}).status_code == 422


def test_list_filters_by_customer_and_counts_by_status(client: TestClient) -> None:
    mine = {client.post("/orders", json=body(customer_id="ana")).json()["id"] for _ in range(2)}
    client.post("/orders", json=body(customer_id="ben"))
    listed = client.get("/orders", params={"customer_id": "ana", "status": "PENDING"}).json()
    assert {o["id"] for o in listed["orders"]} == mine
    assert client.get("/orders", params={"customer_id": "nobody"}).json()["count"] == 0
    assert client.get("/orders", params={"customer_id": ""}).status_code == 422
    assert client.get("/orders/counts").json() == {"total": 3, "by_status": {"PENDING": 3}}


def test_health_and_openapi(client: TestClient) -> None:
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["live"] is True
    assert health.json()["service"] == "order"
    # in-memory bus: no dependency has been checked, so the instance is live but not ready
    ready = client.get("/health/ready")
    assert ready.status_code == 503 and "broker: not checked yet" in ready.json()["not_ready"]
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert 'shop_events_outbox_pending{service="order"}' in metrics.text
    spec = client.get("/openapi.json").json()
    assert {"/orders", "/orders/{order_id}", "/orders/{order_id}/events", "/health"} <= set(
        spec["paths"]
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/orders", "GET, POST"),
        ("PUT", f"/orders/{uuid.UUID(int=1)}", "GET"),
        ("POST", "/health", "GET"),
    ],
)
def test_405_names_the_allowed_methods(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    resp = client.request(method, path)
    assert resp.status_code == 405 and resp.headers["allow"] == allow
