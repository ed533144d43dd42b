"""The stack's command line as a user runs it: `up`, `status`, `down` leave no process behind;
a service whose schema is not registered refuses to start and names the subject."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from stack.process import free_port

ROOT = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_up_status_down_leaves_no_process_behind(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
        "SCHEMA_REGISTRY_URL": f"http://127.0.0.1:{free_port()}",
        "ORDER_API_URL": f"http://127.0.0.1:{free_port()}",
        "CONSOLE_URL": f"http://127.0.0.1:{free_port()}",
    }
    stack = [sys.executable, "-m", "stack", "--root", str(tmp_path)]
    pids: dict[str, int] = {}
    try:
        up = subprocess.run(
            [*stack, "up"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
        )
        assert up.returncode == 0, up.stdout + up.stderr
        assert "stack is up" in up.stdout and f"console {env['CONSOLE_URL']}" in up.stdout
        pids = json.loads((tmp_path / "run" / "stack.json").read_text())
        assert set(pids) == {
            "broker",
            "registry",
            "order",
            "payment",
            "inventory",
            "shipping",
            "delivery",
            "notification",
            "console",
        }
        assert all(_alive(pid) for pid in pids.values())
        overview = httpx.get(env["CONSOLE_URL"] + "/", timeout=30)
        assert overview.status_code == 200 and "Overview" in overview.text

        status = subprocess.run(
            [*stack, "status"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert status.returncode == 0, status.stderr
        for service in ("order", "payment", "inventory", "shipping", "delivery", "notification"):
            assert re.search(rf"^  {service}@\S+ at http://\S+: ready$", status.stdout, re.M)
        assert "group notification-email-high" in status.stdout
        assert "dead letter queue: 0 entries" in status.stdout
    finally:
        down = subprocess.run(
            [*stack, "down"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
    assert down.returncode == 0, down.stderr
    assert not [name for name, pid in pids.items() if _alive(pid)]
    assert not (tmp_path / "run" / "stack.json").exists()


def test_service_refuses_to_start_when_its_subject_is_not_registered(
    kafka_bootstrap: str, tmp_path: Path, logs_dir: Path
) -> None:
    from stack.registry_process import start_registry

    port = free_port()
    empty = start_registry(port, tmp_path / "empty-registry", logs_dir / "empty-registry.log")
    try:
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "SCHEMA_REGISTRY_URL": f"http://127.0.0.1:{port}",
            "DATA_DIR": str(tmp_path / "data"),
        }
        run = subprocess.run(
            [sys.executable, "-m", "services.shipping"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        empty.stop()
    assert run.returncode != 0
    assert "is not registered" in run.stderr and "make register" in run.stderr
    assert "shop.common.EventMetadata" in run.stderr or "order_shipped-value" in run.stderr
