"""Lag per partition of a consumer group, from committed offsets and true log ends.

A partition whose end is a lower bound gives a lag that is a lower bound too; a partition the
group never committed has no lag number unless it is empty: the console does not guess where
such a consumer would start.
"""

from __future__ import annotations

from dataclasses import dataclass

from stack.offsets import Partition, PartitionEnd


@dataclass(frozen=True)
class LagRow:
    topic: str
    partition: int
    low: int
    end: int
    end_exact: bool
    committed: int | None
    assigned_to: str  # who holds the partition, when known

    @property
    def lag(self) -> int | None:
        if self.committed is None:  # nothing committed: no lag only if there is nothing to read
            return 0 if self.end_exact and self.end == self.low else None
        return max(0, self.end - self.committed)


def lag_rows(
    topics: set[str],
    ends: dict[Partition, PartitionEnd],
    committed: dict[Partition, int],
    owners: dict[Partition, str],
) -> list[LagRow]:
    return [
        LagRow(t, p, end.low, end.end, end.exact, committed.get((t, p)), owners.get((t, p), ""))
        for (t, p), end in sorted(ends.items())
        if t in topics
    ]


def total(rows: list[LagRow]) -> tuple[int, bool, int]:
    """(lag summed over committed partitions, whether every number is exact, partitions with
    no committed offset)."""
    known = [r for r in rows if r.lag is not None]
    exact = all(r.end_exact for r in known)
    return sum(r.lag or 0 for r in known), exact, len(rows) - len(known)


def parse_assignment(items: list[str]) -> list[Partition]:
    """Health files' "topic[p]" strings as (topic, partition)."""
    found = []
    for item in items:
        topic, _, rest = item.rpartition("[")
        if topic and rest.endswith("]") and rest[:-1].isdigit():
            found.append((topic, int(rest[:-1])))
    return found
