"""SIGKILL chaos on PostgreSQL, two instances of every service, each in a working directory of its
own (they share the database and nothing local).

The instances split each group's partitions.  While orders flow, random instances are killed with
SIGKILL and restarted beside the kills (each restart rebalances); after some kills the test holds
the dead one back until the surviving instance holds every partition of its groups (the rebalance
that follows a crash), then lets it restart.  Afterwards the audit finds every order terminal
exactly once, charged once, stock moved once, exactly its events on every topic, and nothing left
in any outbox.

CHAOS_ORDERS (default 100) and CHAOS_SEED as in test_chaos.py.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from stack.health import fetch_health
from stack.stack import SERVICES, Stack, instance_label
from tests.e2e.chaos_support import place_many, settled_audit, stock
from tests.e2e.conftest import engine_url, running_stack, wait_terminal

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pg_chaos(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    url = engine_url(request, "postgresql", "chaos")
    root = tmp_path_factory.mktemp("chaos-pg")
    with running_stack(root, "chaos-pg", url, instances=2) as running:
        yield running


@pytest.fixture(scope="module")
def api(pg_chaos: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pg_chaos.config.order_api_url, timeout=15) as client:
        yield client


def health_groups(stack: Stack, label: str) -> dict[str, dict]:
    """The groups of the running process of instance `label`, from its `/health`."""
    health = fetch_health(stack.ops[label])
    return dict(health.get("groups") or {}) if health["reachable"] else {}


def assignments(stack: Stack, label: str) -> dict[str, set[str]]:
    return {g: set(info["assignment"]) for g, info in health_groups(stack, label).items()}


def partner(label: str) -> str:
    name, _, number = label.partition("-")
    return instance_label(name, 1 if number else 2)


def wait_for_takeover(stack: Stack, survivor: str, timeout: float = 45) -> float:
    """Wait until `survivor` holds every partition (3 per topic) of every group it runs."""
    started = time.monotonic()
    groups: dict[str, dict] = {}
    while time.monotonic() - started < timeout:
        groups = health_groups(stack, survivor)
        if groups and all(
            set(g["assignment"]) == {f"{t}[{i}]" for t in g["topics"] for i in range(3)}
            for g in groups.values()
        ):
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"{survivor} never took over its partner's partitions: {groups}")


def test_the_two_instances_split_every_groups_partitions(pg_chaos: Stack) -> None:
    for name in SERVICES:
        first, second = assignments(pg_chaos, name), assignments(pg_chaos, f"{name}-2")
        assert first.keys() == second.keys(), name
        for group in first:
            assert first[group] and second[group], (name, group, first[group], second[group])
            assert not first[group] & second[group], (name, group)


def test_sigkill_instances_while_orders_flow_on_postgres(
    pg_chaos: Stack, api: httpx.Client
) -> None:
    n = int(os.environ.get("CHAOS_ORDERS", "100"))
    seed = int(os.environ.get("CHAOS_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    batch = 10
    print(f"\n[chaos-pg] seed {seed}: {n} orders")
    before = stock(pg_chaos, "SKU-BOOK")
    orders: dict[str, str] = {}

    def placer() -> None:
        for b in range(n // batch):
            orders.update(place_many(api, batch, "SKU-BOOK", start=b * batch))
            time.sleep(0.8)

    held: set[str] = set()  # killed instances left down until their partner took over
    stop = threading.Event()

    def restarter() -> None:  # restarts run beside the kills, not between them
        while not stop.wait(0.3):
            # `held` itself, not a copy: one supervise pass can last seconds (it waits before
            # each restart), and an instance killed and held meanwhile must stay down
            pg_chaos.supervise(hold=held)

    thread = threading.Thread(target=placer, daemon=True)
    restarts = threading.Thread(target=restarter, daemon=True)
    thread.start()
    restarts.start()
    kills: list[str] = []
    takeovers: list[tuple[str, float]] = []
    try:
        while thread.is_alive() or len(kills) < 3:
            time.sleep(rng.uniform(0.3, 1.5))
            label = rng.choice(sorted(pg_chaos.services))
            proc, other = pg_chaos.services[label], pg_chaos.services[partner(label)]
            if not (proc.alive() and other.alive()):
                continue  # never both instances of one service at once
            if len(kills) % 5 == 0:  # every fifth crash: wait for the rebalance to the survivor
                held.add(label)
                proc.kill()  # SIGKILL: no stop, no commit, no relay
                kills.append(label)
                took = wait_for_takeover(pg_chaos, partner(label))
                takeovers.append((partner(label), round(took, 1)))
                held.discard(label)  # restarted now: another rebalance
            else:
                proc.kill()
                kills.append(label)
        thread.join()
    finally:
        stop.set()
        restarts.join(120)
    pg_chaos.supervise()
    wait_terminal(api, list(orders), timeout=300)
    result = settled_audit(pg_chaos, api, orders, "SKU-BOOK", before)
    print(f"[chaos-pg] {len(kills)} kills: {kills}")
    print(f"[chaos-pg] survivors that took over (seconds): {takeovers}")
    print(f"\n[chaos-pg] sigkill: {json.dumps(vars(result), default=str)}")
    assert len(orders) == n // batch * batch
    assert takeovers
    assert result.problems() == []
