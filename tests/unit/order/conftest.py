"""An order service bound to an in-memory TestBus, and its HTTP API under TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.order.api import create_api
from services.order.handlers import build_app
from services.runtime.app import ServiceApp
from services.runtime.testing import TestBus


@pytest.fixture
def app() -> ServiceApp:
    return build_app()


@pytest.fixture
def bus(app: ServiceApp, tmp_path: Path) -> TestBus:
    return TestBus(app, tmp_path=tmp_path)


@pytest.fixture
def client(app: ServiceApp, bus: TestBus) -> Iterator[TestClient]:
    with TestClient(create_api(app)) as c:
        yield c
