"""Fakes for runtime tests: a serde that needs no registry and a handler that fails on demand."""

from __future__ import annotations

import datetime
import threading
import uuid
from pathlib import Path
from typing import ClassVar, Self

from services.events import Event, EventMetadata
from services.runtime.errors import PermanentError, TransientError
from services.runtime.processor import Processor, RetryPolicy, Subscription
from services.runtime.sinks import MemorySink
from services.runtime.store import open_store
from services.runtime.unit_of_work import UnitOfWork

T0 = datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC)


class Ping(Event):
    """A test-only event: its text is its payload and its partition key, and fixes its id."""

    TOPICS: ClassVar[tuple[str, ...]] = ("pings",)
    PARTITION_KEY: ClassVar[str | None] = "text"

    text: str

    @classmethod
    def of(cls, text: str) -> Self:
        event_id = uuid.uuid5(uuid.NAMESPACE_OID, text)  # the same text is the same event
        meta = EventMetadata(
            event_id=event_id, correlation_id=event_id, occurred_at=T0, producer="test"
        )
        return cls(metadata=meta, text=text)


class PlainSerde:
    """Values are b"<text>": every message is its own Ping, keyed by its text."""

    def deserialize(self, data: bytes | None, topic: str) -> Ping:
        return Ping.of((data or b"").decode())

    def serialize(self, event: Event, topic: str) -> bytes:
        assert isinstance(event, Ping)
        return event.text.encode()


class FlakyHandler:
    """Records the texts it handled; raises for the texts told to fail (until healed)."""

    __name__ = "flaky"

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.transient: set[str] = set()
        self.permanent: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, event: Ping, uow: UnitOfWork) -> None:
        if event.text in self.permanent:
            raise PermanentError(f"{event.text} refused")
        if event.text in self.transient:
            raise TransientError(f"{event.text} not yet")
        with self.lock:
            self.handled.append(event.text)


def make_processor(
    tmp_path: Path,
    topics: list[str],
    handler: FlakyHandler,
    retry: RetryPolicy,
    group: str = "g",
    target: str | Path | None = None,
    db_timeout_s: float = 10.0,
) -> tuple[Processor, MemorySink]:
    """A processor of `topics` over a store of its own (SQLite under tmp_path unless `target`
    names another database: two processors on one target are two instances of one service)."""
    sink = MemorySink()
    subs = [Subscription(Ping, t, group, handler) for t in topics]
    db = open_store(target or tmp_path / f"{group}.sqlite3", "svc", timeout_s=db_timeout_s)
    return Processor("svc", group, subs, db, PlainSerde(), sink, retry), sink
