"""Integration fixtures: topics created and contracts registered, once per session."""

from __future__ import annotations

import pytest

from stack.contracts import create_topics, register_contracts


@pytest.fixture(scope="session")
def contracts_registered(registry_url: str) -> dict[str, int]:
    return register_contracts(registry_url)


@pytest.fixture(scope="session")
def topics(kafka_bootstrap: str) -> list[str]:
    return create_topics(kafka_bootstrap)
