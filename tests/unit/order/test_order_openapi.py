"""Schemathesis against the order API's own /openapi.json (in process, TestBus-bound): no server
error, documented status codes and content types, and every response body matches the schema."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from services.order.bootstrap import create_app
from services.runtime.settings import Settings
from services.runtime.testing import TestBus

# The schema is read at import (schemathesis' lazy `from_fixture` breaks on pytest 9); the API
# reads `app.db` per request, so the TestBus is bound below, before any case runs.
APP = create_app(Settings())
API = APP.http_api
assert API is not None
schema = schemathesis.openapi.from_asgi("/openapi.json", API)


@pytest.fixture(scope="module", autouse=True)
def bound(tmp_path_factory: pytest.TempPathFactory) -> None:
    TestBus(APP, tmp_path=tmp_path_factory.mktemp("order-openapi"))
    seed = {
        "customer_id": "c-1",
        "items": [{"sku": "SKU-1", "quantity": 1, "unit_price": "1.00"}],
        "currency": "EUR",
        "payment_token": "tok",
    }
    assert TestClient(API).post("/orders", json=seed).status_code == 201  # something to list


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_order_api_conforms_to_its_openapi(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
