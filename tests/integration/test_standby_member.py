"""A member that gets no partition (more instances than partitions) still hears that the
rebalance is over, so its readiness ("joined, standby") rests on a real broker event."""

from __future__ import annotations

import threading
import time

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from services.runtime.kafka import make_consumer
from services.runtime.settings import Settings


def test_fourth_member_of_a_three_partition_group_is_told_it_has_nothing(
    kafka_bootstrap: str,
) -> None:
    topic = f"standby-{time.monotonic_ns()}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    admin.create_topics([NewTopic(topic, 3, 1)])[topic].result(30)
    settings = Settings(kafka_bootstrap_servers=kafka_bootstrap)
    assigned: dict[int, list[int] | None] = {i: None for i in range(4)}
    stop = threading.Event()

    def member(i: int) -> None:
        consumer: Consumer = make_consumer(settings, "standby", f"group-{topic}")

        def on_assign(_: Consumer, partitions: list[TopicPartition]) -> None:
            assigned[i] = sorted(p.partition for p in partitions)

        consumer.subscribe([topic], on_assign=on_assign)
        try:
            while not stop.is_set():
                consumer.poll(0.2)
        finally:
            consumer.close()

    threads = [threading.Thread(target=member, args=(i,), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = list(assigned.values())
        if None not in got and sorted(p for ps in got if ps for p in ps) == [0, 1, 2]:
            break
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(30)
    got = list(assigned.values())
    assert None not in got, f"a member never heard the rebalance end: {assigned}"
    assert sorted(p for ps in got if ps for p in ps) == [0, 1, 2]
    assert [] in got, f"expected one member with no partition: {assigned}"
