"""In-memory stand-ins for the console's sources, and a console app over them."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from console.app import create_app
from console.context import Console, Sources
from console.security import MutationPolicy
from console.settings import ConsoleSettings
from console.sources.broker import BrokerSource, BrokerUnavailable, Group
from console.sources.decoding import Decoder
from console.sources.health import HealthSource, PartHealth
from console.sources.orders import OrdersSource, Placed, normalized_order
from console.sources.registry import (
    CheckResult,
    RegistryError,
    RegistrySource,
    SchemaVersion,
)
from services.runtime.messages import Incoming
from services.runtime.serde import EventSerde
from services.runtime.testing import mock_registry
from stack import dlq_tool
from stack.offsets import Partition, PartitionEnd

NOW_MS = int(datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC).timestamp() * 1000)


class FakeBroker(BrokerSource):
    def __init__(self) -> None:  # no client: everything is in memory
        self.bootstrap = "fake:9092"
        self.records: dict[str, list[Incoming]] = {}
        self.dlq: list[dlq_tool.Entry] = []
        self.redriven: list[dlq_tool.Entry] = []
        self.down = False
        self.group_list: list[Group] = []

    def _check(self) -> None:
        if self.down:
            raise BrokerUnavailable("broker fake:9092: list topics: timed out")

    def topic_names(self) -> list[str]:
        self._check()
        return sorted(self.records)

    def ends(self, topics: list[str]) -> dict[Partition, PartitionEnd]:
        self._check()
        return {
            (t, 0): PartitionEnd(0, len(self.records[t]), True) for t in topics if t in self.records
        }

    def latest(self, topic: str, n: int, partition: int | None = None) -> list[Incoming]:
        self._check()
        return list(reversed(self.records.get(topic, [])))[:n]

    def from_offset(self, topic: str, partition: int, offset: int, n: int) -> list[Incoming]:
        return [r for r in self.records.get(topic, []) if r.offset >= offset][:n]

    def with_key(
        self, topics: list[str], key: bytes, scan: int, since_ms: int | None = None
    ) -> tuple[list[Incoming], dict[Partition, tuple[int, int]]]:
        self._check()
        found = [r for t in topics for r in self.records.get(t, []) if r.key == key]
        return found, {(t, 0): (0, len(self.records[t])) for t in topics if t in self.records}

    def groups(self) -> list[Group]:
        self._check()
        return self.group_list

    def dlq_entries(self) -> list[dlq_tool.Entry]:
        self._check()
        return list(self.dlq)

    def redrive(
        self, entries: list[dlq_tool.Entry], max_redrives: int
    ) -> tuple[list[dlq_tool.Redriven], list[dlq_tool.Refused]]:
        sent, refused = [], []
        for e in entries:
            if e.redrive_count >= max_redrives:
                refused.append(dlq_tool.Refused(e, f"already redriven {e.redrive_count} times"))
            else:
                self.redriven.append(e)
                sent.append(
                    dlq_tool.Redriven(e, e.fact("original.topic"), 0, 99, e.redrive_count + 1)
                )
        return sent, refused

    def add(self, topic: str, key: bytes | None, value: bytes | None) -> Incoming:
        records = self.records.setdefault(topic, [])
        record = Incoming(topic, 0, len(records), key, value, NOW_MS + len(records))
        records.append(record)
        return record

    def add_dlq(self, origin: str, value: bytes, redrives: int = 0, cls: str = "poison") -> None:
        headers = [
            ("dlq.original.topic", origin.encode()),
            ("dlq.original.partition", b"0"),
            ("dlq.original.offset", b"7"),
            ("dlq.service", b"inventory"),
            ("dlq.consumer.group", b"inventory"),
            ("dlq.error.class", cls.encode()),
            ("dlq.error.message", b"value is not Confluent-framed Avro"),
            ("dlq.attempts", b"1"),
            ("dlq.redrive.count", str(redrives).encode()),
        ]
        n = len(self.dlq)
        self.dlq.append(dlq_tool.Entry(n + 1, 0, n, NOW_MS, b"k", value, headers))


class FakeRegistry(RegistrySource):
    def __init__(self) -> None:
        self.url = "http://fake-registry"
        self.subjects_: dict[str, list[str]] = {}
        self.levels: dict[str, str] = {}
        self.answer = CheckResult(True, [], "BACKWARD", "latest")
        self.checked: list[str] = []

    def subjects(self) -> list[str]:
        return sorted(self.subjects_)

    def versions(self, subject: str) -> list[int]:
        if subject not in self.subjects_:
            raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
        return list(range(1, len(self.subjects_[subject]) + 1))

    def version(self, subject: str, version: int | str) -> SchemaVersion:
        versions = self.versions(subject)
        number = versions[-1] if version == "latest" else int(version)
        return SchemaVersion(subject, number, 100 + number, self.subjects_[subject][number - 1])

    def level(self, subject: str | None = None) -> tuple[str, bool]:
        if subject in self.levels:
            return self.levels[subject], True
        return "BACKWARD", False

    def referenced_by(self, subject: str, version: int) -> list[int]:
        return []

    def subject_versions_of(self, schema_id: int) -> list[tuple[str, int]]:
        return []

    def check(self, subject: str, schema: str, against: str = "latest") -> CheckResult:
        self.versions(subject)
        self.checked.append(schema)
        return self.answer


class FakeOrders(OrdersSource):
    def __init__(self) -> None:
        self.url = "http://fake-orders"
        self.known: dict[str, dict[str, Any]] = {}
        self.placed: list[tuple[dict[str, Any], str]] = []
        self.reply = Placed(201, order={"id": "5f0c7c1e-2b1a-4d8e-9a34-1f2e3d4c5b6a"})

    def orders(
        self, status: str | None = None, customer: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        found = [o for o in self.known.values() if status in (None, o["status"])][:limit]
        return [normalized_order(o) for o in found]

    def get(self, order_id: str) -> dict[str, Any] | None:
        return normalized_order(self.known[order_id]) if order_id in self.known else None

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.known.values():
            counts[o["status"]] = counts.get(o["status"], 0) + 1
        return counts

    def recorded_events(self, order_id: str) -> list[dict[str, Any]]:
        return []

    def place(self, body: dict[str, Any], idempotency_key: str) -> Placed:
        self.placed.append((body, idempotency_key))
        return self.reply


class FakeHealth(HealthSource):
    def __init__(self) -> None:
        super().__init__(Path("/nonexistent"), "http://127.0.0.1:9")

    @property
    def note(self) -> str:
        return "fake health"

    def parts(self) -> list[PartHealth]:
        return [PartHealth("registry", "up", "HTTP /health")]

    def services(self) -> list[PartHealth]:
        return [PartHealth("payment", "up", "HTTP /health", groups={})]


def make_console(**settings: Any) -> tuple[Console, FakeBroker, FakeRegistry, FakeOrders]:
    broker, registry, orders = FakeBroker(), FakeRegistry(), FakeOrders()
    config = ConsoleSettings(**settings)
    decoder = Decoder(EventSerde(mock_registry()), registry)
    sources = Sources(broker, registry, orders, FakeHealth(), decoder)
    return Console(config, sources, MutationPolicy.from_settings(config)), broker, registry, orders


def client_of(console: Console) -> TestClient:
    return TestClient(create_app(console), raise_server_exceptions=False)
