"""What the console reads from the Kafka broker: topics and their true ends, records by position,
time or key, consumer groups with committed offsets, and the dead letter queue.

Everything goes through `stack.offsets` (true ends on Tansu, whose high watermark is not the log
end) and `stack.dlq_tool` (the same reading and redrive as `make dlq`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from confluent_kafka import KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient

from services.runtime.messages import Incoming
from stack import dlq_tool
from stack.offsets import Partition, PartitionEnd, partition_ends, read_range, reader
from stack.status import committed_offsets

TIMEOUT_S = 5.0
P = ParamSpec("P")
T = TypeVar("T")


class BrokerUnavailable(Exception):
    """The broker did not answer; the message says what was asked."""


@dataclass(frozen=True)
class TopicInfo:
    name: str
    partitions: dict[int, PartitionEnd]

    @property
    def records(self) -> int:
        return sum(p.records for p in self.partitions.values())

    @property
    def exact(self) -> bool:
        return all(p.exact for p in self.partitions.values())


@dataclass(frozen=True)
class Member:
    member_id: str
    client_id: str
    host: str
    assignment: list[Partition]


@dataclass(frozen=True)
class Group:
    group_id: str
    state: str
    members: list[Member] = field(default_factory=list)
    committed: dict[Partition, int] = field(default_factory=dict)
    error: str | None = None


class BrokerSource:
    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 5000})

    def _call(self, what: str, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except KafkaException as exc:
            raise BrokerUnavailable(f"broker {self.bootstrap}: {what}: {exc}") from exc
        except RuntimeError as exc:  # librdkafka timeouts surface as RuntimeError in places
            raise BrokerUnavailable(f"broker {self.bootstrap}: {what}: {exc}") from exc

    # -- topics --------------------------------------------------------------------------------

    def topic_names(self) -> list[str]:
        metadata = self._call("list topics", self.admin.list_topics, timeout=TIMEOUT_S)
        return sorted(t for t in metadata.topics if not t.startswith("__"))

    def topics(self, names: list[str] | None = None) -> list[TopicInfo]:
        names = self.topic_names() if names is None else names
        ends = self.ends(names)
        by_topic: dict[str, dict[int, PartitionEnd]] = {}
        for (topic, p), end in sorted(ends.items()):
            by_topic.setdefault(topic, {})[p] = end
        return [TopicInfo(n, by_topic[n]) for n in names if n in by_topic]

    def ends(self, topics: list[str]) -> dict[Partition, PartitionEnd]:
        return self._call("read log ends", partition_ends, self.bootstrap, topics)

    def latest(self, topic: str, n: int, partition: int | None = None) -> list[Incoming]:
        """The newest `n` records of the topic (or of one partition), newest first."""
        ends = {k: e for k, e in self.ends([topic]).items() if partition in (None, k[1])}
        ranges = {k: (max(e.low, e.end - n), e.end) for k, e in ends.items()}
        records = self._call("read records", read_range, self.bootstrap, ranges)
        records.sort(key=lambda r: (r.timestamp_ms, r.offset), reverse=True)
        return records[:n]

    def from_offset(self, topic: str, partition: int, offset: int, n: int) -> list[Incoming]:
        end = self.ends([topic]).get((topic, partition))
        if end is None:
            return []
        start = max(offset, end.low)
        ranges = {(topic, partition): (start, min(end.end, start + n))}
        return self._call("read records", read_range, self.bootstrap, ranges)

    def with_key(
        self, topics: list[str], key: bytes, scan: int, since_ms: int | None = None
    ) -> tuple[list[Incoming], dict[Partition, tuple[int, int]]]:
        """Records whose key is `key`, from the newest `scan` records of each partition (and not
        before `since_ms` where the broker finds offsets by time); also returns what was read."""
        ends = self.ends(topics)
        starts = self._offsets_at(ends, since_ms) if since_ms is not None else {}
        ranges = {
            k: (max(e.low, e.end - scan, starts.get(k, e.low)), e.end) for k, e in ends.items()
        }
        records = self._call(
            "read records", read_range, self.bootstrap, ranges, keep=lambda r: r.key == key
        )
        return records, ranges

    def _offsets_at(
        self, ends: dict[Partition, PartitionEnd], since_ms: int
    ) -> dict[Partition, int]:
        """First offset at or after `since_ms` per partition.  An answer past the log end (or
        none) is not trusted: the scan then starts at the beginning of its window."""
        consumer = reader(self.bootstrap)
        try:
            asked = [TopicPartition(t, p, since_ms) for t, p in ends]
            found = self._call("find offsets by time", consumer.offsets_for_times, asked, 5.0)
        finally:
            consumer.close()
        starts = {}
        for tp in found:
            key = (tp.topic, tp.partition)
            if tp.error is None and 0 <= tp.offset <= ends[key].end:
                starts[key] = tp.offset
        return starts

    # -- consumer groups -----------------------------------------------------------------------

    def groups(self) -> list[Group]:
        listed = self._call("list groups", lambda: self.admin.list_consumer_groups().result())
        ids = sorted(g.group_id for g in listed.valid)
        if not ids:
            return []
        described = self._call(
            "describe groups", self.admin.describe_consumer_groups, ids, request_timeout=TIMEOUT_S
        )
        groups = []
        for group_id in ids:
            try:
                info = described[group_id].result()
                state = info.state.name if info.state is not None else "UNKNOWN"
                members = [
                    Member(
                        m.member_id,
                        m.client_id,
                        m.host,
                        [
                            (tp.topic, tp.partition)
                            for tp in (m.assignment.topic_partitions if m.assignment else [])
                        ],
                    )
                    for m in info.members or []
                ]
                groups.append(Group(group_id, state, members, self.committed(group_id)))
            except (KafkaException, BrokerUnavailable) as exc:
                groups.append(Group(group_id, "UNKNOWN", error=str(exc)))
        return groups

    def committed(self, group: str) -> dict[Partition, int]:
        found = self._call("committed offsets", committed_offsets, self.admin, group)
        return {key: offset for key, offset in found.items() if offset >= 0}

    # -- dead letter queue ---------------------------------------------------------------------

    def dlq_entries(self) -> list[dlq_tool.Entry]:
        return self._call("read the dead letter queue", dlq_tool.read_entries, self.bootstrap)

    def redrive(
        self, entries: list[dlq_tool.Entry], max_redrives: int
    ) -> tuple[list[dlq_tool.Redriven], list[dlq_tool.Refused]]:
        return self._call("redrive", dlq_tool.redrive, self.bootstrap, entries, max_redrives)
