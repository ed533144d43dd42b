"""`make status`: services, their consumer groups and partitions, lag per partition, DLQ counts."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from confluent_kafka import ConsumerGroupTopicPartitions
from confluent_kafka.admin import AdminClient

from stack.dlq_tool import dlq_reasons
from stack.offsets import log_end_offsets


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def service_health(run_dir: Path) -> list[dict]:
    found = []
    for path in sorted(run_dir.glob("*.json")):
        try:
            health = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        health["alive"] = _alive(health["pid"])
        health["age_s"] = time.time() - health["updated"]
        found.append(health)
    return found


def committed_offsets(admin: AdminClient, group: str) -> dict[tuple[str, int], int]:
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


def lag_lines(
    ends: dict[tuple[str, int], int], committed: dict[tuple[str, int], int], topics: list[str]
) -> list[str]:
    """One line per topic: lag per partition, then log end and committed offset per partition."""
    lines = [f"    {'topic':<28} {'lag per partition':<18} end / committed"]
    for topic in sorted(topics):
        parts = sorted(p for t, p in ends if t == topic)
        lags, detail = [], []
        for p in parts:
            end, pos = ends[(topic, p)], committed.get((topic, p), -1)
            lags.append(str(end - pos if pos >= 0 else end))
            detail.append(f"{end}/{pos if pos >= 0 else '-'}")
        lines.append(f"    {topic:<28} {' '.join(lags):<18} {'  '.join(detail)}")
    return lines


def render_status(bootstrap: str, run_dir: Path) -> str:
    out: list[str] = []
    healths = service_health(run_dir)
    if not healths:
        out.append(f"no service health files in {run_dir}: is the stack up (`make up`)?")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topics = sorted({t for h in healths for g in h["groups"].values() for t in g["topics"]})
    ends = log_end_offsets(bootstrap, topics) if topics else {}
    for health in healths:
        state = "up" if health["alive"] and health["age_s"] < 10 else "DOWN/stale"
        out.append(f"{health['service']} (pid {health['pid']}): {state}")
        for group, g in sorted(health["groups"].items()):
            dead = sum(g["dead_lettered"].values())
            out.append(
                f"  group {group}: handled {g['handled']}, duplicates dropped {g['duplicates']}, "
                f"dead-lettered {dead}, retrying {len(g['retrying'])}"
            )
            for where, attempt in sorted(g["retrying"].items()):
                out.append(f"    retrying {where}: attempt {attempt}")
            out.append(
                f"    assigned: {compact_partitions(g['assignment']) or '(none yet: joining)'}"
            )
            out += lag_lines(ends, committed_offsets(admin, group), g["topics"])
    reasons = dlq_reasons(bootstrap)
    out.append(f"dead letter queue: {sum(reasons.values())} entries")
    for reason, count in sorted(reasons.items()):
        out.append(f"  {count:>5}  {reason}")
    return "\n".join(out)
