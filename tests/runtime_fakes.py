"""Fakes for runtime tests: a serde that needs no registry and a handler that fails on demand."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from services.runtime.errors import PermanentError, TransientError
from services.runtime.processor import Processor, RetryPolicy, Subscription
from services.runtime.sinks import MemorySink
from services.runtime.store import Database
from services.runtime.unit_of_work import UnitOfWork


class PlainSerde:
    """Values are b"<event id>": every message is its own event, keyed by its bytes."""

    def deserialize(self, data: bytes | None, topic: str) -> Any:
        text = (data or b"").decode()
        return SimpleNamespace(metadata=SimpleNamespace(event_id=text), order_id=text)


class FlakyHandler:
    """Records what it handled; raises for the event ids told to fail (until healed)."""

    __name__ = "flaky"

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.transient: set[str] = set()
        self.permanent: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, event: Any, uow: UnitOfWork) -> None:
        event_id = event.metadata.event_id
        if event_id in self.permanent:
            raise PermanentError(f"{event_id} refused")
        if event_id in self.transient:
            raise TransientError(f"{event_id} not yet")
        with self.lock:
            self.handled.append(event_id)


def make_processor(
    tmp_path: Path,
    topics: list[str],
    handler: FlakyHandler,
    retry: RetryPolicy,
    group: str = "g",
) -> tuple[Processor, MemorySink]:
    sink = MemorySink()
    subs = [Subscription(object, t, group, handler) for t in topics]  # type: ignore[arg-type]
    db = Database(tmp_path / f"{group}.sqlite3")
    return Processor("svc", group, subs, db, PlainSerde(), sink, retry), sink  # type: ignore[arg-type]
