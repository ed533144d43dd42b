"""Fixtures for the registry's integration tests (the server comes from tests/conftest.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

CT = "application/vnd.schemaregistry.v1+json"


@pytest.fixture
def api(registry_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=registry_url, headers={"Content-Type": CT}, timeout=10) as client:
        yield client


@pytest.fixture
def subject(request: pytest.FixtureRequest) -> str:
    """A subject name no other test uses (the registry server is shared by the session)."""
    return f"{request.node.name[:40]}-{uuid.uuid4().hex[:8]}-value"


def record(name: str, *fields: dict, **extra: object) -> str:
    """A compact record schema text (as the registry returns it)."""
    obj = {"type": "record", "name": name, "fields": list(fields), **extra}
    return json.dumps(obj, separators=(",", ":"))


def body(schema: str, **extra: object) -> dict:
    return {"schema": schema, **extra}
