"""Broker restart: the embedded broker comes back empty with a new cluster id; a running service
notices, says so and exits non-zero, and refuses to start again on the old database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from services.runtime.cluster import EXIT_HISTORY_LOST
from stack.broker import broker_process
from stack.contracts import create_topics
from stack.process import ManagedProcess, ProcessFailed, free_port, http_ok, python_module


def wait_exit(proc: ManagedProcess, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.proc is not None
        code = proc.proc.poll()
        if code is not None:
            return code
        time.sleep(0.1)
    raise AssertionError(f"{proc.name} still running {timeout}s after the broker restart")


def test_service_exits_loudly_when_the_broker_lost_its_history(
    contracts_registry_url: str, tmp_path: Path
) -> None:
    port = free_port()
    bootstrap = f"127.0.0.1:{port}"
    broker = broker_process(port, tmp_path / "broker.log").start()
    data = tmp_path / "data"
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SCHEMA_REGISTRY_URL": contracts_registry_url,
        "DATA_DIR": str(data),
        "CLUSTER_CHECK_INTERVAL_S": "0.5",
        "OPS_PORT": str(free_port()),
    }

    def shipping(log: str) -> ManagedProcess:
        ready = lambda: http_ok(f"http://127.0.0.1:{env['OPS_PORT']}/health")  # noqa: E731
        return ManagedProcess(
            "shipping", python_module("services.shipping"), ready, tmp_path / log, env=env
        )

    service = None
    try:
        create_topics(bootstrap, replication_factor=1)
        service = shipping("shipping.log").start(timeout=60)
        broker.stop()
        broker = broker_process(port, tmp_path / "broker2.log").start()  # same port, empty
        assert wait_exit(service, 60) == EXIT_HISTORY_LOST
        log = (tmp_path / "shipping.log").read_text()
        assert "broker history lost: cluster id changed" in log

        service = shipping("shipping2.log")
        with pytest.raises(ProcessFailed, match="exited with code 3"):
            service.start(timeout=60)  # refuses at start-up: its database is another cluster's
        assert "broker history lost" in (tmp_path / "shipping2.log").read_text()
    finally:
        if service is not None:
            service.stop()
        broker.stop()
