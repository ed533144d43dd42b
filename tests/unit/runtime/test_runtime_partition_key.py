"""The runtime keys messages by the event class's partition key, never by a field it names."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from services.runtime.outbox import OutboxRelay
from services.runtime.sinks import MemorySink
from services.runtime.store import open_store
from services.runtime.unit_of_work import UnitOfWork
from tests.runtime_fakes import Ping, PlainSerde


class Unkeyed(Ping):
    PARTITION_KEY: ClassVar[str | None] = None


def published(tmp_path: Path, *events: Ping) -> list[tuple[bytes | None, bytes | None]]:
    db = open_store(tmp_path / "svc.sqlite3", "svc")
    with db.transaction() as conn:
        uow = UnitOfWork(conn, PlainSerde(), "svc")
        for event in events:
            uow.publish(event)
    sink = MemorySink()
    OutboxRelay(db, sink).relay()
    return [(m.key, m.value) for m in sink.topics["pings"]]


def test_outbox_rows_are_keyed_by_the_class_partition_key(tmp_path: Path) -> None:
    """Ping has no order_id: its key is its `text` field, as its class declares."""
    assert published(tmp_path, Ping.of("abc"), Ping.of("xyz")) == [
        (b"abc", b"abc"),
        (b"xyz", b"xyz"),
    ]


def test_an_unkeyed_event_class_publishes_without_a_key(tmp_path: Path) -> None:
    assert published(tmp_path, Unkeyed.of("abc")) == [(None, b"abc")]


def test_headers_named_by_the_publisher_are_sent_after_the_runtime_ones(tmp_path: Path) -> None:
    db = open_store(tmp_path / "svc.sqlite3", "svc")
    event = Ping.of("abc")
    with db.transaction() as conn:
        UnitOfWork(conn, PlainSerde(), "svc").publish(event, headers={"channel": "SMS"})
    sink = MemorySink()
    OutboxRelay(db, sink).relay()
    [message] = sink.topics["pings"]
    assert message.headers == [
        ("event_id", str(event.metadata.event_id).encode()),
        ("event_type", b"Ping"),
        ("channel", b"SMS"),
    ]


@pytest.mark.parametrize("name", ["event_id", "event_type"])
def test_a_publisher_may_not_name_a_header_the_runtime_sets(tmp_path: Path, name: str) -> None:
    db = open_store(tmp_path / "svc.sqlite3", "svc")
    with db.transaction() as conn, pytest.raises(ValueError, match=f"header '{name}' is set by"):
        UnitOfWork(conn, PlainSerde(), "svc").publish(Ping.of("abc"), headers={name: "x"})
    assert db.query("SELECT COUNT(*) FROM outbox")[0][0] == 0
