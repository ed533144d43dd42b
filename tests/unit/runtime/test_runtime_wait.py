"""A subscription's `wait` (a simulated delay) is waited before the handler's transaction, so the
database stays free meanwhile; a stop during the wait leaves the message unhandled and uncounted."""

from __future__ import annotations

import threading
from pathlib import Path

from services.runtime.messages import Incoming
from services.runtime.processor import Outcome, Processor, Retry, RetryPolicy, Subscription
from services.runtime.sinks import MemorySink
from services.runtime.store import open_store
from tests.runtime_fakes import FlakyHandler, Ping, PlainSerde


def msg(value: str) -> Incoming:
    return Incoming("t", 0, 0, value.encode(), value.encode())


def processor(tmp_path: Path, handler: FlakyHandler, waiting: threading.Event) -> Processor:
    def wait(ping: Ping) -> float:
        waiting.set()
        return 30.0 if ping.text == "forever" else 0.5

    sub = Subscription(Ping, "t", "g", handler, wait=wait)
    db = open_store(tmp_path / "g.sqlite3", "svc")
    return Processor("svc", "g", [sub], db, PlainSerde(), MemorySink(), RetryPolicy(2, 0, 0))


def test_the_database_is_free_while_a_message_waits(tmp_path: Path) -> None:
    handler, waiting = FlakyHandler(), threading.Event()
    p = processor(tmp_path, handler, waiting)
    outcomes: list[object] = []
    worker = threading.Thread(target=lambda: outcomes.append(p.process(msg("later"))))
    worker.start()
    assert waiting.wait(10)
    with p.db.transaction():  # would block until after the handler if it waited inside
        assert handler.handled == []
    worker.join(10)
    assert outcomes == [Outcome.HANDLED]
    assert handler.handled == ["later"]


def test_a_stop_during_the_wait_leaves_the_message_for_later(tmp_path: Path) -> None:
    handler, waiting = FlakyHandler(), threading.Event()
    p = processor(tmp_path, handler, waiting)
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(p.process_once(msg("forever"))))
    worker.start()
    assert waiting.wait(10)
    p.stop.set()
    worker.join(10)
    [result] = results
    assert isinstance(result, Retry) and result.attempt == 0  # not a failed attempt
    assert p.stats.retrying == {} and not p.stats.dead_lettered
    assert handler.handled == []
    assert p.db.query("SELECT COUNT(*) AS n FROM inbox")[0]["n"] == 0
