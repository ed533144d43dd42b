"""/dlq: dead letter entries with their headers and decoded payload; redrive selected entries
after a confirmation, through `make dlq`'s own redrive and its limit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from console.context import Console, console_of
from console.forms import read_form
from console.pages import attempt
from console.sources.decoding import Decoded
from services.runtime.dlq import DLQ_TOPIC
from services.runtime.messages import Incoming
from stack import dlq_tool

router = APIRouter()
SHOWN = 500  # newest entries shown at most
KEPT_OUTCOMES = 50


@dataclass(frozen=True)
class EntryView:
    entry: dlq_tool.Entry
    decoded: Decoded
    fingerprint: str  # same key and value bytes, same fingerprint: a redriven copy is visible
    over_limit: bool

    def fact(self, name: str) -> str:
        return self.entry.fact(name)


def entry_view(console: Console, entry: dlq_tool.Entry) -> EntryView:
    record = Incoming(
        DLQ_TOPIC,
        entry.partition,
        entry.offset,
        entry.key,
        entry.value,
        entry.timestamp_ms,
        entry.headers,
    )
    decoded = console.sources.decoder.decode(record, topic=entry.fact("original.topic"))
    digest = hashlib.sha256((entry.key or b"") + b"\0" + (entry.value or b"")).hexdigest()
    over = entry.redrive_count >= console.settings.console_max_redrives
    return EntryView(entry, decoded, digest[:8], over)


@router.get("/dlq", response_class=HTMLResponse)
def dlq_page(
    request: Request,
    reason: Annotated[str, Query(max_length=200)] = "",
    outcome: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    console = console_of(request)
    entries, error = attempt(console.sources.broker.dlq_entries, [])
    reasons = sorted({e.error_class for e in entries})
    chosen = dlq_tool.select(entries, [], reason or None)
    return console.render(
        request,
        "dlq.html",
        title="Dead letter queue",
        refresh_ms=5000,
        source=f"broker {console.sources.broker.bootstrap} (topic {DLQ_TOPIC}, read to its end); "
        f"payloads decoded as their original topic through registry {console.sources.registry.url}",
        views=[entry_view(console, e) for e in reversed(chosen[-SHOWN:])],
        total=len(entries),
        shown_of=len(chosen),
        reasons=reasons,
        reason=reason,
        error=error,
        outcome=console.outcomes.get(outcome),
        max_redrives=console.settings.console_max_redrives,
    )


@router.post("/dlq/redrive", response_model=None)
async def redrive(request: Request) -> Response:
    console = console_of(request)
    form = await read_form(request)
    console.policy.check(request, form.get("csrf"))
    refs = form.getall("ref")
    if not refs:
        raise HTTPException(422, "select at least one entry to redrive")
    entries = console.sources.broker.dlq_entries()
    try:
        chosen = dlq_tool.select(entries, refs)
    except KeyError as exc:
        raise HTTPException(422, str(exc.args[0]).replace(" (see `make dlq`)", "")) from None
    if form.get("confirm") != "yes":
        return console.render(
            request,
            "dlq_confirm.html",
            title="Redrive: confirm",
            source=f"broker {console.sources.broker.bootstrap} (topic {DLQ_TOPIC})",
            views=[entry_view(console, e) for e in chosen],
            max_redrives=console.settings.console_max_redrives,
        )
    sent, refused = console.sources.broker.redrive(chosen, console.settings.console_max_redrives)
    outcome_id = secrets.token_urlsafe(8)
    console.outcomes[outcome_id] = _outcome(sent, refused)
    while len(console.outcomes) > KEPT_OUTCOMES:
        console.outcomes.pop(next(iter(console.outcomes)))
    return RedirectResponse(f"/dlq?outcome={outcome_id}", status_code=303)


def _outcome(sent: list[dlq_tool.Redriven], refused: list[dlq_tool.Refused]) -> dict[str, Any]:
    return {
        "sent": [
            {
                "ref": s.entry.ref,
                "number": s.entry.number,
                "to": f"{s.topic}[{s.partition}]@{s.offset}",
                "count": s.count,
            }
            for s in sent
        ],
        "refused": [
            {"ref": r.entry.ref, "number": r.entry.number, "reason": r.reason} for r in refused
        ],
    }
