"""/groups: consumer groups from the broker with members, assignments and lag per partition."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from console.context import Console, console_of
from console.lag import LagRow, lag_rows, parse_assignment, total
from console.pages import attempt
from console.sources.broker import Group
from console.sources.health import PartHealth
from stack.offsets import Partition, PartitionEnd

router = APIRouter()


@dataclass(frozen=True)
class GroupView:
    group: Group
    rows: list[LagRow]
    members_note: str  # where the assignment column comes from, or why it is empty
    services: list[str]  # services whose health names this group

    @property
    def lag(self) -> tuple[int, bool, int]:
        return total(self.rows)


def group_views(
    console: Console,
    health: list[PartHealth],
    known_ends: dict[Partition, PartitionEnd] | None = None,
) -> tuple[list[GroupView], dict[Partition, PartitionEnd]]:
    """Every group the broker knows, with lag over the topics it committed or subscribes to
    (log ends read now unless `known_ends` has every topic's)."""
    broker = console.sources.broker
    groups = broker.groups()
    reported: dict[str, list[tuple[PartHealth, dict]]] = {}
    for part in health:
        for group_id, stats in part.groups.items():
            reported.setdefault(group_id, []).append((part, stats))
    topics_of = {
        g.group_id: {t for t, _ in g.committed}
        | {t for _, stats in reported.get(g.group_id, []) for t in stats.get("topics", [])}
        for g in groups
    }
    wanted = set().union(*topics_of.values())
    ends = known_ends or {}
    if wanted - {t for t, _ in ends}:
        ends = broker.ends(sorted(wanted))
    views = []
    for g in groups:
        owners: dict[Partition, str] = {}
        for m in g.members:
            for key in m.assignment:
                owners[key] = f"{m.client_id} ({m.host})"
        if g.members:
            note = "assignments from the broker"
        elif reported.get(g.group_id):
            note = (
                "the broker reports no members for this group (Tansu never does); assignments "
                "below are what the services report in their health"
            )
            for part, stats in reported[g.group_id]:
                for key in parse_assignment(stats.get("assignment", [])):
                    owners[key] = f"{part.name} {part.instance}".strip()
        else:
            note = "the broker reports no members and no service reports this group"
        rows = lag_rows(topics_of[g.group_id], ends, g.committed, owners)
        services = sorted({part.name for part, _ in reported.get(g.group_id, [])})
        views.append(GroupView(g, rows, note, services))
    return views, ends


@router.get("/groups", response_class=HTMLResponse)
def groups_page(request: Request) -> HTMLResponse:
    console = console_of(request)
    health, health_error = attempt(console.sources.health.services, [])
    (views, ends), error = attempt(lambda: group_views(console, health), ([], {}))
    if ends:
        console.throughput.record(ends)
    return console.render(
        request,
        "groups.html",
        title="Consumer groups",
        refresh_ms=3000,
        source=f"broker {console.sources.broker.bootstrap} (groups, committed offsets, log "
        f"ends read back); {console.sources.health.note}",
        views=views,
        error=error or health_error,
    )
