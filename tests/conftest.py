"""Fixtures shared by every test layer.

`kafka_bootstrap` and `registry_url` start a real Tansu broker and a real registry process on free
loopback ports, once per test session, and stop them at the end (or at interpreter exit).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.broker import start_broker
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
