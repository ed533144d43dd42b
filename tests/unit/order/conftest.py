"""An order service bound to an in-memory TestBus, and the HTTP API it serves under TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.order.bootstrap import create_app
from services.runtime.app import ServiceApp
from services.runtime.settings import Settings
from services.runtime.testing import TestBus


@pytest.fixture
def app() -> ServiceApp:
    return create_app(Settings())


@pytest.fixture
def bus(app: ServiceApp, tmp_path: Path) -> TestBus:
    return TestBus(app, tmp_path=tmp_path)


@pytest.fixture
def client(app: ServiceApp, bus: TestBus) -> Iterator[TestClient]:
    assert app.http_api is not None
    with TestClient(app.http_api) as c:
        yield c
