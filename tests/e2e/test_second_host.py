"""A second host: the second instance of every service runs in a network namespace of its own and
reaches the broker, the registry and PostgreSQL over a veth pair (tests/e2e/netns.py), sharing
nothing local with the first instances but the database.  The two hosts split every group's
partitions, and orders placed on the first host's API all finish, audited like the chaos runs.

Skipped, with the reason, where the machine cannot create the namespace (not root, no iproute2).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from stack.health import fetch_health
from stack.postgres import PostgresServer, start_postgres
from stack.stack import SERVICES, Stack, StackConfig
from tests.e2e import netns
from tests.e2e.chaos_support import place_many, settled_audit, stock
from tests.e2e.conftest import wait_terminal

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def two_hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    try:
        ns = netns.create()
    except netns.NamespaceUnavailable as exc:
        pytest.skip(f"no second host on this machine: {exc}")
    root = tmp_path_factory.mktemp("two-hosts")
    server: PostgresServer | None = None
    stack: Stack | None = None
    try:
        server = start_postgres(
            root / "postgres.log",
            host=netns.HOST_ADDRESS,
            trusted=(f"{netns.HOST_ADDRESS}/32", f"{netns.GUEST_ADDRESS}/32"),
        )
        config = StackConfig.on_free_ports(
            root,
            {"DELIVERY_DELAY_S": "0.05", "LOG_LEVEL": "INFO"},
            database_url=server.create_database("two_hosts"),
            host=netns.HOST_ADDRESS,  # the broker advertises an address both hosts reach
        )
        stack = Stack(config, say=lambda m: print(f"[two-hosts] {m}"))
        stack.start_infra()
        stack.start_services()
        for name in SERVICES:  # the second host: its HTTP and ops ports on its own address
            proc = stack.service_process(name, 2, argv_prefix=ns.prefix, host=netns.GUEST_ADDRESS)
            stack.services[f"{name}-2"] = proc.start(timeout=90)
        stack.wait_until_assigned()
        yield stack
    finally:
        if stack is not None:
            stack.stop()
        if server is not None:
            server.stop()
        ns.remove()


def groups_of(stack: Stack, label: str) -> dict[str, dict]:
    """The groups of instance `label`, from its `/health` (the second host's over the pair)."""
    health = fetch_health(stack.ops[label])
    return dict(health.get("groups") or {}) if health["reachable"] else {}


def test_two_hosts_split_the_partitions_and_carry_every_order(two_hosts: Stack) -> None:
    deadline = time.monotonic() + 60
    while True:  # joins of the second host's members settle
        split = {
            name: all(
                groups_of(two_hosts, name)[g]["assignment"]
                and groups_of(two_hosts, f"{name}-2")[g]["assignment"]
                for g in groups_of(two_hosts, name)
            )
            for name in SERVICES
        }
        if all(split.values()) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert all(split.values()), split
    with httpx.Client(base_url=two_hosts.config.order_api_url, timeout=15) as api:
        before = stock(two_hosts, "SKU-MUG")
        orders = place_many(api, 40, "SKU-MUG")
        wait_terminal(api, list(orders), timeout=180)
        result = settled_audit(two_hosts, api, orders, "SKU-MUG", before)
    print(f"\n[two-hosts] audit: {json.dumps(vars(result), default=str)}")
    assert result.problems() == []
    handled = {
        name: sum(g["handled"] for g in groups_of(two_hosts, f"{name}-2").values())
        for name in SERVICES
    }
    assert all(n > 0 for n in handled.values()), handled  # the second host did its share
