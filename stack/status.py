"""`make status`: the same picture for any deployment, from the broker and the services' own HTTP.

- Services: each instance's `/health` (ready or not, why, its groups and their assignments),
  at the URLs `stack.health.ops_urls` finds (OPS_URLS, or the embedded stack's own list).
- Per consumer group, summed over instances: handled, duplicates, dead-lettered by reason,
  retrying, from their `/metrics`.
- Consumer groups from the broker (admin API): state, members and assignments when the broker
  describes them; otherwise the members the services report, and it says so.  Committed offsets
  come from the broker, log ends are read back (`stack.offsets`: Tansu's high watermark is not the
  log end), so lag = end - committed is not understated; an end that could not be read back is
  shown as a lower bound (`>=N`), never as the exact figure.
- The dead letter queue by reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import ConsumerGroupTopicPartitions, KafkaException
from confluent_kafka.admin import AdminClient

from stack.dlq_tool import dlq_reasons
from stack.health import Samples, fetch_metrics, service_health
from stack.offsets import PartitionEnd, partition_ends

Partition = tuple[str, int]
READER_GROUPS = ("stack-status", "stack-reader")  # ours: they read by assignment, never consume


def committed_offsets(admin: AdminClient, group: str) -> dict[Partition, int]:
    futures = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])
    result = next(iter(futures.values())).result()
    return {(tp.topic, tp.partition): tp.offset for tp in result.topic_partitions or []}


def compact_partitions(assignment: list[str]) -> str:
    """["a[0]", "a[1]", "b[2]"] -> "a[0,1], b[2]"."""
    by_topic: dict[str, list[str]] = {}
    for item in assignment:
        topic, _, rest = item.partition("[")
        by_topic.setdefault(topic, []).append(rest.rstrip("]"))
    return ", ".join(f"{t}[{','.join(ps)}]" for t, ps in sorted(by_topic.items()))


@dataclass
class GroupView:
    name: str
    state: str = "unknown"
    members: list[tuple[str, list[str]]] = field(default_factory=list)  # (member, partitions)
    members_from: str = "broker"
    topics: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)  # handled, duplicates, retrying
    dead_lettered: Counter[str] = field(default_factory=Counter)  # by reason


def broker_groups(admin: AdminClient) -> dict[str, GroupView]:
    """Every consumer group the broker knows, with state and members as it describes them."""
    listed = admin.list_consumer_groups(request_timeout=10).result()
    names = sorted(g.group_id for g in listed.valid if g.group_id not in READER_GROUPS)
    views = {name: GroupView(name) for name in names}
    if not names:
        return views
    for name, future in admin.describe_consumer_groups(names, request_timeout=10).items():
        try:
            described = future.result()
        except KafkaException:
            continue
        view = views[name]
        view.state = str(getattr(described.state, "name", described.state))
        for member in described.members or []:
            parts = member.assignment.topic_partitions if member.assignment else []
            owned = [f"{tp.topic}[{tp.partition}]" for tp in parts]
            view.members.append((f"{member.client_id} ({member.host})", owned))
            view.topics.update(tp.topic for tp in parts)
    return views


def add_service_view(
    views: dict[str, GroupView], healths: list[dict[str, Any]], metrics: list[Samples]
) -> None:
    """Members from the services where the broker named none; counts from their /metrics."""
    for health in healths:
        for group, info in (health.get("groups") or {}).items():
            view = views.setdefault(group, GroupView(group))
            view.topics.update(info.get("topics", []))
            if not view.members or view.members_from == "services":
                view.members_from = "services"
                state = "standby" if info.get("standby") else info.get("state", "?")
                member = f"{health.get('instance', health['url'])} [{state}]"
                view.members.append((member, list(info.get("assignment", []))))
    for samples in metrics:
        for name, key in (
            ("shop_events_messages_handled_total", "handled"),
            ("shop_events_messages_duplicates_total", "duplicates"),
            ("shop_events_messages_retrying", "retrying"),
        ):
            for labels, value in samples.get(name, []):
                views.setdefault(labels["group"], GroupView(labels["group"])).counts[key] += int(
                    value
                )
        for labels, value in samples.get("shop_events_messages_dead_lettered_total", []):
            view = views.setdefault(labels["group"], GroupView(labels["group"]))
            view.dead_lettered[labels["reason"]] += int(value)


def lag_lines(
    ends: dict[Partition, PartitionEnd], committed: dict[Partition, int], topics: set[str]
) -> list[str]:
    """One line per topic: lag per partition, then log end and committed offset per partition.

    A partition with no committed offset lags by what it holds (the group starts at the
    beginning); where the end could not be read back it is a lower bound, shown as `>=N`."""
    lines = [f"    {'topic':<28} {'lag per partition':<18} end / committed"]
    for topic in sorted(topics):
        parts = sorted(p for t, p in ends if t == topic)
        if not parts:
            lines.append(f"    {topic:<28} (topic not found on the broker)")
            continue
        lags, detail = [], []
        for p in parts:
            end, pos = ends[(topic, p)], committed.get((topic, p), -1)
            bound = "" if end.exact else ">="
            lags.append(f"{bound}{end.end - pos if pos >= 0 else end.records}")
            detail.append(f"{bound}{end.end}/{pos if pos >= 0 else '-'}")
        lines.append(f"    {topic:<28} {' '.join(lags):<18} {'  '.join(detail)}")
    return lines


def service_lines(healths: list[dict[str, Any]], urls: list[str]) -> list[str]:
    out = [f"services ({len(healths)} instances asked at {len(urls)} address(es)):"]
    if not urls:
        out.append(
            "  none known: set OPS_URLS=http://host:port,... or start the embedded stack "
            "(`make up`)"
        )
    for h in healths:
        if not h["reachable"]:
            out.append(f"  {h['url']}: DOWN ({h['error']})")
            continue
        state = "ready" if h["ready"] else ("live, NOT READY" if h["live"] else "NOT LIVE")
        out.append(f"  {h['instance']} at {h['url']}: {state}")
        for reason in h.get("not_ready", []):
            out.append(f"    - {reason}")
    return out


def group_lines(
    view: GroupView, admin: AdminClient, ends: dict[Partition, PartitionEnd]
) -> list[str]:
    c = view.counts
    dead = sum(view.dead_lettered.values())
    out = [
        f"group {view.name}: state {view.state}; handled {c['handled']}, duplicates dropped "
        f"{c['duplicates']}, dead-lettered {dead}, retrying {c['retrying']}"
    ]
    for reason, count in sorted(view.dead_lettered.items()):
        out.append(f"    dead-lettered {count:>5}  {reason}")
    source = {
        "broker": "from the broker",
        "services": "from the services' /health: the broker described none",
    }[view.members_from]
    out.append(f"  members ({source}):" if view.members else "  members: none known")
    for member, owned in sorted(view.members):
        out.append(f"    {member}: {compact_partitions(owned) or '(no partitions)'}")
    try:
        committed = committed_offsets(admin, view.name)
    except KafkaException as exc:
        out.append(f"  committed offsets unknown: {exc}")
        return out
    topics = view.topics or {t for t, _ in committed}
    return out + lag_lines(ends, committed, topics)


def render_status(bootstrap: str, urls: list[str]) -> str:
    healths = service_health(urls)
    reachable = [h for h in healths if h["reachable"]]
    metrics = [fetch_metrics(h["url"]) for h in reachable]
    out = service_lines(healths, urls)
    admin = AdminClient({"bootstrap.servers": bootstrap})
    try:
        views = broker_groups(admin)
    except KafkaException as exc:
        out.append(f"broker at {bootstrap} did not answer: {exc}")
        return "\n".join(out)
    add_service_view(views, reachable, metrics)
    topics = sorted({t for v in views.values() for t in v.topics})
    ends = partition_ends(bootstrap, topics) if topics else {}
    out.append("consumer groups (lag = log end read back - committed offset, per partition):")
    for view in views.values():
        out += ["  " + line for line in group_lines(view, admin, ends)]
    reasons = dlq_reasons(bootstrap)
    out.append(f"dead letter queue: {sum(reasons.values())} entries")
    for reason, count in sorted(reasons.items()):
        out.append(f"  {count:>5}  {reason}")
    return "\n".join(out)
