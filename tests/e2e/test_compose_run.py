"""docker-compose.yml, run compose-shaped: its own commands, environments and healthchecks as local
processes (stack/compose_run.py), host names mapped to loopback, against the embedded broker
standing in for `kafka` and a real PostgreSQL for `postgres`; payment runs scaled to two
replicas.  Orders placed through the compose order service reach their terminal states, and the
compose `status` job sees every replica."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from stack.broker import start_broker
from stack.compose import load_compose
from stack.compose_run import ComposeRun
from stack.demo import order_body
from stack.postgres import PostgresServer
from stack.process import free_port
from tests.e2e.conftest import wait_terminal


def compose_database(server: PostgresServer) -> None:
    """The role and database the compose file's postgres service is told to create."""
    postgres = load_compose().services["postgres"].environment
    user, password, db = (
        postgres[k] for k in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB")
    )
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
        conn.execute(f"CREATE DATABASE {db} OWNER {user}")


@pytest.fixture(scope="module")
def compose_run(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[ComposeRun]:
    root = tmp_path_factory.mktemp("compose")
    compose_database(postgres_server)
    port = free_port()
    broker = start_broker(port, root / "broker.log")
    run = ComposeRun(
        load_compose(),
        root,
        substitutes={"kafka": f"127.0.0.1:{port}", "postgres": f"127.0.0.1:{postgres_server.port}"},
        scale={"payment": 2},
        say=lambda m: print(f"[compose] {m}", flush=True),
    )
    try:
        run.up(timeout_s=240)
        yield run
    finally:
        run.down()
        broker.stop()


def test_orders_reach_their_end_on_the_compose_shaped_stack(compose_run: ComposeRun) -> None:
    bodies = {
        "delivered": order_body("compose-a", [("SKU-BOOK", 1, "12.50")], "tok_visa"),
        "declined": order_body("compose-b", [("SKU-BOOK", 1, "12.50")], "tok_declined"),
        "sold out": order_body("compose-c", [("SKU-SOLDOUT", 1, "3.00")], "tok_visa"),
    }
    with httpx.Client(base_url=compose_run.url("order", 8000), timeout=15) as api:
        placed = {}
        for kind, body in bodies.items():
            response = api.post("/orders", json=body)
            assert response.status_code == 201, response.text
            placed[kind] = response.json()["id"]
        more = [api.post("/orders", json=bodies["delivered"]).json()["id"] for _ in range(6)]
        orders = wait_terminal(api, [*placed.values(), *more], timeout=120)
    print({kind: orders[oid]["status"] for kind, oid in placed.items()})
    assert orders[placed["delivered"]]["status"] == "DELIVERED"
    assert orders[placed["declined"]]["status"] == "CANCELLED"
    assert orders[placed["sold out"]]["status"] == "CANCELLED"
    assert all(orders[oid]["status"] == "DELIVERED" for oid in more)


def test_compose_status_job_sees_every_replica(compose_run: ComposeRun) -> None:
    status = compose_run.compose.services["status"]
    (instance,) = compose_run.allocate(status)
    output = compose_run.run_job(instance, timeout_s=120)
    print(output)
    assert "services (7 instances asked at " in output  # payment: two replicas
    assert output.count(": ready") == 7
    payment = [line for line in output.splitlines() if line.startswith("  payment@")]
    assert len(payment) == 2
    assert "group payment: state" in output


def test_the_scaled_replicas_split_the_partitions(compose_run: ComposeRun) -> None:
    owned = []
    for number in (1, 2):
        health = httpx.get(f"{compose_run.url('payment', 9000, number)}/health").json()
        owned.append(set(health["groups"]["payment"]["assignment"]))
    assert owned[0] and owned[1] and not owned[0] & owned[1]
    assert {p for p in owned[0] | owned[1] if p.startswith("order_created")} == {
        f"order_created[{i}]" for i in range(3)
    }


def test_every_compose_log_is_json(compose_run: ComposeRun) -> None:
    log = Path(compose_run.root / "log" / "payment-1.log").read_text().splitlines()
    assert log and all(line.startswith("{") for line in log if line.strip())
