"""A subscription's `accepts` filter: refused events are skipped before any transaction (no
handler call, no inbox row), accepted ones are handled as usual, and a throwing filter is a failure
of that message like any other (retried, then dead-lettered)."""

from __future__ import annotations

from pathlib import Path

from services.runtime.messages import Incoming
from services.runtime.processor import Outcome, Processor, RetryPolicy, Subscription
from services.runtime.sinks import MemorySink
from services.runtime.store import open_store
from tests.runtime_fakes import FlakyHandler, Ping, PlainSerde


def msg(value: str, offset: int = 0) -> Incoming:
    return Incoming("t", 0, offset, value.encode(), value.encode())


def processor(tmp_path: Path, handler: FlakyHandler) -> Processor:
    def accepts(ping: Ping) -> bool:
        if ping.text == "boom":
            raise ValueError("filter cannot judge boom")
        return ping.text.startswith("mine")

    sub = Subscription(Ping, "t", "g", handler, accepts)
    db = open_store(tmp_path / "g.sqlite3", "svc")
    return Processor("svc", "g", [sub], db, PlainSerde(), MemorySink(), RetryPolicy(2, 0, 0))


def inbox(p: Processor) -> list[str]:
    return [str(r[0]) for r in p.db.query("SELECT event_id FROM inbox ORDER BY event_id")]


def test_refused_events_are_skipped_without_inbox_row(tmp_path: Path) -> None:
    handler = FlakyHandler()
    p = processor(tmp_path, handler)
    assert p.process(msg("theirs-1")) is Outcome.SKIPPED
    assert p.process(msg("mine-1", 1)) is Outcome.HANDLED
    assert p.process(msg("theirs-1", 2)) is Outcome.SKIPPED  # again: still skipped, not duplicate
    assert p.process(msg("mine-1", 3)) is Outcome.DUPLICATE
    assert handler.handled == ["mine-1"]
    assert inbox(p) == [str(Ping.of("mine-1").metadata.event_id)]
    assert (p.stats.handled, p.stats.skipped, p.stats.duplicates) == (1, 2, 1)


def test_a_filter_that_raises_fails_the_message(tmp_path: Path) -> None:
    p = processor(tmp_path, FlakyHandler())
    assert p.process(msg("boom")) is Outcome.DEAD_LETTERED
    assert inbox(p) == []
