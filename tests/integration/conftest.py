"""Integration fixtures: the catalog's topics, and a registry holding exactly the contracts.

`db_target` is a fresh database on each engine (SQLite, PostgreSQL).
`registry_url` (tests/conftest.py) is shared by tests that register their own subjects, some of
them new versions of the catalog's; tests that rely on the contracts being the latest versions
use `contracts_registry_url`, a registry of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.contracts import create_topics, register_contracts
from stack.postgres import PostgresServer
from stack.process import free_port
from stack.registry_process import start_registry


@pytest.fixture(scope="session")
def contracts_registry_url(
    tmp_path_factory: pytest.TempPathFactory, logs_dir: Path
) -> Iterator[str]:
    port = free_port()
    data_dir = tmp_path_factory.mktemp("contracts-registry")
    registry = start_registry(port, data_dir, logs_dir / "contracts-registry.log")
    url = f"http://127.0.0.1:{port}"
    register_contracts(url)
    yield url
    registry.stop()


@pytest.fixture(scope="session")
def topics(kafka_bootstrap: str) -> list[str]:
    return create_topics(kafka_bootstrap, replication_factor=1)  # one broker


@pytest.fixture(scope="session")
def contracts_registered(registry_url: str) -> dict[str, int]:
    """The contracts registered on the shared registry (other tests may add later versions)."""
    return register_contracts(registry_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """A fresh, empty database on each engine: a SQLite path, or a new PostgreSQL database on the
    session's server (several `open_store`s on it are several instances of a service)."""
    if request.param == "sqlite":
        return tmp_path / "store.sqlite3"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}")
