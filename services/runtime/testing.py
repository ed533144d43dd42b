"""An in-memory bus that runs services' handlers without Kafka (FastStream's TestBroker idea).

The same `Processor`, unit of work, outbox and serde run as in production; only the sink is a list
and the registry is confluent-kafka's in-process mock with every contract registered.

    bus = TestBus(create_app(settings), other.create_app(other_settings), tmp_path=tmp_path)
    bus.publish(something_happened)
    bus.drain()
    assert bus.events("what_it_leads_to")
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from confluent_kafka.schema_registry import SchemaRegistryClient

from services.events import Event
from services.runtime.app import ServiceApp
from services.runtime.dlq import DLQ_TOPIC
from services.runtime.messages import Incoming
from services.runtime.processor import Outcome, Processor, RetryPolicy
from services.runtime.registration import generated_schemas, register_all
from services.runtime.serde import EventSerde
from services.runtime.sinks import MemorySink
from services.runtime.store import open_store

E = TypeVar("E", bound=Event)


def mock_registry() -> SchemaRegistryClient:
    client = SchemaRegistryClient.new_client({"url": "mock://testbus"})
    register_all(client, *generated_schemas())
    return client


class TestBus:
    __test__ = False  # not a pytest class

    def __init__(self, *apps: ServiceApp, tmp_path: Path) -> None:
        self.registry = mock_registry()
        self.serde = EventSerde(self.registry)
        self.sink = MemorySink()
        self.apps = apps
        self.processors: list[Processor] = []
        self._cursor: dict[tuple[str, str], int] = {}
        fast_retry = RetryPolicy(max_attempts=3, base_delay_s=0.001, max_delay_s=0.002)
        for app in apps:
            db = open_store(tmp_path / f"{app.name}.sqlite3", app.name, app.migrations)
            app.bind(db, self.serde, self.sink)
            for hook in app.startup_hooks:
                hook(app)
            for processor in app.processors(self.sink):
                processor.retry = fast_retry
                self.processors.append(processor)

    def publish(self, event: Event, topic: str | None = None) -> None:
        topic = topic or event.TOPICS[0]
        self.sink.send(topic, event.partition_key(), self.serde.serialize(event, topic), [])

    def send_raw(self, topic: str, value: bytes | None, key: bytes | None = None) -> None:
        self.sink.send(topic, key, value, [])

    def drain(self, max_rounds: int = 1000) -> list[Outcome]:
        """Deliver until nothing moves; return the outcomes in delivery order."""
        outcomes: list[Outcome] = []
        for _ in range(max_rounds):
            for app in self.apps:
                assert app.relay is not None
                app.relay.relay()
            moved = False
            for processor in self.processors:
                for topic in processor.by_topic:
                    cursor = self._cursor.get((processor.group, topic), 0)
                    log = self.sink.topics.get(topic, [])
                    for msg in log[cursor:]:
                        outcomes.append(processor.process(msg))
                        moved = True
                    self._cursor[(processor.group, topic)] = len(log)
            if not moved:
                return outcomes
        raise RuntimeError(f"bus did not settle after {max_rounds} rounds")

    def events(self, topic: str) -> list[Event]:
        return [self.serde.deserialize(m.value, topic) for m in self.sink.topics.get(topic, [])]

    def events_of(self, event_type: type[E], topic: str | None = None) -> list[E]:
        """The `event_type` events on `topic` (its only topic unless named), typed as such."""
        events = self.events(topic or event_type.TOPICS[0])
        return [e for e in events if isinstance(e, event_type)]

    def dead_letters(self) -> list[Incoming]:
        return list(self.sink.topics.get(DLQ_TOPIC, []))
