"""The cluster-id guard: recorded on first start, a different cluster refused, a change seen."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from confluent_kafka import KafkaException

from services.runtime.cluster import BrokerHistoryLost, ClusterWatch, check_recorded
from services.runtime.store import open_store


def test_first_start_records_the_cluster_and_another_one_is_refused(tmp_path: Path) -> None:
    db = open_store(tmp_path / "s.sqlite3", "svc")
    check_recorded(db, "tansu-aaa")
    check_recorded(db, "tansu-aaa")  # a restart against the same broker is fine
    with pytest.raises(BrokerHistoryLost, match="from 'tansu-aaa' to 'tansu-bbb'"):
        check_recorded(db, "tansu-bbb")


class FakeAdmin:
    def __init__(self, answers: list[str | None]) -> None:
        self.answers = answers

    def list_topics(self, timeout: float) -> SimpleNamespace:
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer is None:
            raise KafkaException("broker down")
        return SimpleNamespace(cluster_id=answer)


def test_watch_ignores_an_unreachable_broker_and_reports_a_new_cluster() -> None:
    lost: list[str] = []
    stop = threading.Event()
    admin = FakeAdmin(["tansu-aaa", None, None, "tansu-aaa", "tansu-bbb"])
    watch = ClusterWatch(admin, "tansu-aaa", stop, 0.001, lost.append)  # type: ignore[arg-type]
    watch.start()
    watch.join(5)
    stop.set()
    assert not watch.is_alive()
    assert len(lost) == 1 and "cluster id changed from 'tansu-aaa' to 'tansu-bbb'" in lost[0]
