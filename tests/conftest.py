"""Fixtures shared by every test layer.

`kafka_bootstrap`, `registry_url` and `postgres_server` start a real Tansu broker, a real registry
process and a real PostgreSQL server on free loopback ports, once per test session (each only when
a test asks for it), and stop them at the end (or at interpreter exit).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.broker import start_broker
from stack.postgres import PostgresServer, start_postgres
from stack.process import free_port
from stack.registry_process import start_registry


@pytest.fixture(scope="session")
def logs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def kafka_bootstrap(logs_dir: Path) -> Iterator[str]:
    port = free_port()
    broker = start_broker(port, logs_dir / "broker.log")
    yield f"127.0.0.1:{port}"
    broker.stop()


@pytest.fixture(scope="session")
def registry_url(tmp_path_factory: pytest.TempPathFactory, logs_dir: Path) -> Iterator[str]:
    port = free_port()
    data_dir = tmp_path_factory.mktemp("registry-data")
    registry = start_registry(port, data_dir, logs_dir / "registry.log")
    yield f"http://127.0.0.1:{port}"
    registry.stop()


@pytest.fixture(scope="session")
def postgres_server(logs_dir: Path) -> Iterator[PostgresServer]:
    """A real PostgreSQL server (Debian's binaries) on a free port, for the whole session."""
    server = start_postgres(logs_dir / "postgres.log")
    yield server
    server.stop()
