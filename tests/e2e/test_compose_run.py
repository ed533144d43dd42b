"""docker-compose.yml, run compose-shaped: its own commands, environments and healthchecks as local
processes (stack/compose_run.py), host names mapped to loopback, against the embedded broker
standing in for `kafka` and a real PostgreSQL for `postgres`; payment runs scaled to two
replicas.  Orders placed through the compose order service reach their terminal states, every
service and the registry keep their state in that PostgreSQL (one schema each, nothing on a
container's disk), and the compose `status` job sees every replica."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from stack.broker import start_broker
from stack.compose import load_compose
from stack.compose_run import ComposeRun
from stack.demo import order_body
from stack.postgres import PostgresServer
from stack.process import free_port
from stack.stack import SERVICES
from tests.e2e.conftest import wait_terminal


def compose_database(server: PostgresServer) -> str:
    """The role and database the compose file's postgres service is told to create; their URL."""
    postgres = load_compose().services["postgres"].environment
    user, password, db = (
        postgres[k] for k in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB")
    )
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
        conn.execute(f"CREATE DATABASE {db} OWNER {user}")
    return f"postgresql://{user}:{password}@127.0.0.1:{server.port}/{db}"


@dataclass
class ComposeStack:
    run: ComposeRun
    database_url: str  # the compose database, as the test reaches it

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]


@pytest.fixture(scope="module")
def compose(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[ComposeStack]:
    root = tmp_path_factory.mktemp("compose")
    database_url = compose_database(postgres_server)
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
        yield ComposeStack(run, database_url)
    finally:
        run.down()
        broker.stop()


@pytest.fixture(scope="module")
def settled(compose: ComposeStack) -> dict[str, list[dict[str, Any]]]:
    """Orders placed through the compose order service, by kind, once they reached their end."""
    bodies = {
        "delivered": order_body("compose-a", [("SKU-BOOK", 1, "12.50")], "tok_visa"),
        "declined": order_body("compose-b", [("SKU-BOOK", 1, "12.50")], "tok_declined"),
        "sold out": order_body("compose-c", [("SKU-SOLDOUT", 1, "3.00")], "tok_visa"),
    }
    counts = {"delivered": 7, "declined": 1, "sold out": 1}
    placed: dict[str, list[str]] = {}
    with httpx.Client(base_url=compose.run.url("order", 8000), timeout=15) as api:
        for kind, body in bodies.items():
            for _ in range(counts[kind]):
                response = api.post("/orders", json=body)
                assert response.status_code == 201, response.text
                placed.setdefault(kind, []).append(response.json()["id"])
        orders = wait_terminal(api, sum(placed.values(), []), timeout=120)
    return {kind: [orders[oid] for oid in ids] for kind, ids in placed.items()}


def test_orders_reach_their_end_on_the_compose_shaped_stack(
    settled: dict[str, list[dict[str, Any]]],
) -> None:
    print({kind: [o["status"] for o in orders] for kind, orders in settled.items()})
    assert [o["status"] for o in settled["delivered"]] == ["DELIVERED"] * 7
    assert [o["status"] for o in settled["declined"]] == ["CANCELLED"]
    assert [o["status"] for o in settled["sold out"]] == ["CANCELLED"]


def wait_outboxes_published(compose: ComposeStack, timeout: float = 30) -> None:
    """The relays publish committed rows shortly after the handler's transaction."""
    pending = " UNION ALL ".join(
        f"SELECT '{s}', count(*) FROM \"{s}\".outbox WHERE published_at IS NULL" for s in SERVICES
    )
    deadline = time.monotonic() + timeout
    while (left := [r for r in compose.rows(pending) if r[1]]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not left, f"outbox rows never published: {left}"


def test_services_and_registry_keep_their_state_in_the_compose_postgresql(
    compose: ComposeStack, settled: dict[str, list[dict[str, Any]]]
) -> None:
    ids = {kind: {o["id"] for o in orders} for kind, orders in settled.items()}
    paid = ids["delivered"] | ids["sold out"]
    schemas = {r[0] for r in compose.rows("SELECT schema_name FROM information_schema.schemata")}
    assert {*SERVICES, "registry"} <= schemas
    # each service's own tables, in its own schema: one row per order, per the saga's rules
    assert dict(compose.rows('SELECT order_id, status FROM "order".orders')) == {
        **dict.fromkeys(ids["delivered"], "DELIVERED"),
        **dict.fromkeys(ids["declined"] | ids["sold out"], "CANCELLED"),
    }
    assert dict(compose.rows("SELECT order_id, status FROM payment.charges")) == {
        **dict.fromkeys(ids["delivered"], "CAPTURED"),
        **dict.fromkeys(ids["sold out"], "REFUNDED"),
    }
    assert {r[0] for r in compose.rows("SELECT order_id FROM payment.declines")} == ids["declined"]
    assert dict(compose.rows("SELECT order_id, status FROM inventory.reservations")) == {
        **dict.fromkeys(ids["delivered"], "RESERVED"),
        **dict.fromkeys(ids["sold out"], "FAILED"),
    }
    assert {r[0] for r in compose.rows("SELECT order_id FROM delivery.deliveries")} == (
        ids["delivered"]
    )
    # the runtime's tables: payment's two replicas handled each event once between them
    # (order_created of every order, inventory_failed of the sold-out one) and published
    # order_paid, payment_failed and payment_refunded once per order that led to one
    inbox = compose.rows("SELECT topic, count(*) FROM payment.inbox GROUP BY topic")
    assert dict(inbox) == {"order_created": 9, "inventory_failed": 1}
    wait_outboxes_published(compose)
    outbox = compose.rows("SELECT topic, count(*) FROM payment.outbox GROUP BY topic")
    assert dict(outbox) == {"order_paid": len(paid), "payment_failed": 1, "payment_refunded": 1}
    for service in SERVICES:
        (count,) = compose.rows(f'SELECT count(*) FROM "{service}".inbox')[0]
        assert count > 0, f"{service} recorded no handled event in its schema"
    # the registry's schemas: what its REST API serves is what the database holds
    registry = compose.run.url("registry", 8081)
    subjects = httpx.get(f"{registry}/subjects").json()
    versions = {s: httpx.get(f"{registry}/subjects/{s}/versions").json() for s in subjects}
    stored = compose.rows("SELECT subject, count(*) FROM registry.versions GROUP BY subject")
    assert dict(stored) == {s: len(v) for s, v in versions.items()}
    assert len(subjects) >= 12
    served = {
        httpx.get(f"{registry}/subjects/{s}/versions/{v}").json()["id"]
        for s, numbers in versions.items()
        for v in numbers
    }
    assert {r[0] for r in compose.rows("SELECT id FROM registry.schemas")} == served
    # and nothing on the containers' disks
    assert not [p for p in compose.run.root.rglob("*") if p.suffix in (".sqlite3", ".db")]
    connections = compose.rows(
        "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " GROUP BY application_name ORDER BY application_name"
    )
    print(f"connections to the compose database by application: {dict(connections)}")


def test_compose_status_job_sees_every_replica(compose: ComposeStack) -> None:
    status = compose.run.compose.services["status"]
    (instance,) = compose.run.allocate(status)
    output = compose.run.run_job(instance, timeout_s=120)
    print(output)
    assert "services (7 instances asked at " in output  # payment: two replicas
    assert output.count(": ready") == 7
    payment = [line for line in output.splitlines() if line.startswith("  payment@")]
    assert len(payment) == 2
    assert "group payment: state" in output


def test_the_scaled_replicas_split_the_partitions(compose: ComposeStack) -> None:
    owned = []
    for number in (1, 2):
        health = httpx.get(f"{compose.run.url('payment', 9000, number)}/health").json()
        owned.append(set(health["groups"]["payment"]["assignment"]))
    assert owned[0] and owned[1] and not owned[0] & owned[1]
    assert {p for p in owned[0] | owned[1] if p.startswith("order_created")} == {
        f"order_created[{i}]" for i in range(3)
    }


def test_every_compose_log_is_json(compose: ComposeStack) -> None:
    log = Path(compose.run.root / "log" / "payment-1.log").read_text().splitlines()
    assert log and all(line.startswith("{") for line in log if line.strip())
