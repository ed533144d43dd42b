"""Fixtures for the registry's integration tests (the server comes from tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from registry_helpers import CT


@pytest.fixture
def api(registry_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=registry_url, headers={"Content-Type": CT}, timeout=10) as client:
        yield client


@pytest.fixture
def subject(request: pytest.FixtureRequest) -> str:
    """A subject name no other test uses (the registry server is shared by the session)."""
    return f"{request.node.name[:40]}-{uuid.uuid4().hex[:8]}-value"
