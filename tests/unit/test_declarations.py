"""`python -m services.declarations`: every service's subscriptions and outputs, read from the apps
that `create_app` builds, without starting or connecting anything."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from services.declarations import APP_FACTORIES, build_apps
from services.events import TOPIC_TYPES
from stack.stack import SERVICES


def run_declarations(env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "services.declarations"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
        timeout=60,
    )
    parsed: dict[str, Any] = json.loads(out.stdout)
    return parsed


def test_it_prints_every_service_and_connects_to_nothing(tmp_path: Path) -> None:
    with socket.socket() as listener:  # both the broker and the registry "live" here
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}",
            "SCHEMA_REGISTRY_URL": f"http://127.0.0.1:{port}",
            "DATA_DIR": str(tmp_path / "data"),
        }
        declared = run_declarations(env)
        try:
            listener.accept()
            connected = True
        except BlockingIOError:
            connected = False
    assert not connected
    assert not (tmp_path / "data").exists()  # no database opened, no health file written
    assert list(declared) == list(SERVICES)
    assert declared == {name: app.declarations() for name, app in build_apps().items()}


def test_what_the_services_declare() -> None:
    declared = {name: app.declarations() for name, app in build_apps().items()}
    payment = declared["payment"]
    assert payment["publishes"] == ["order_paid", "payment_failed", "payment_refunded"]
    assert payment["subscribes"] == [
        {"topic": "inventory_failed", "group": "payment"},
        {"topic": "order_created", "group": "payment"},
    ]
    assert declared["order"]["publishes"] == ["order_cancelled", "order_created"]
    assert {"topic": "order_created", "group": "shipping-orders"} in declared["shipping"][
        "subscribes"
    ]
    notification_groups = {s["group"] for s in declared["notification"]["subscribes"]}
    assert len(notification_groups) == 8
    for name, facts in declared.items():
        topics = {s["topic"] for s in facts["subscribes"]} | set(facts["publishes"])
        assert topics <= set(TOPIC_TYPES), f"{name} names a topic no contract carries"
        pairs = [(s["topic"], s["group"]) for s in facts["subscribes"]]
        assert pairs == sorted(set(pairs))  # sorted, no repeats: stable for diffs


def test_every_service_of_the_stack_has_a_factory() -> None:
    assert tuple(APP_FACTORIES) == SERVICES
