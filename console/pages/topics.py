"""/topics: every topic with partitions and true end offsets; one topic's messages (latest N, from
a partition and offset, or by key), decoded through the registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from console.context import console_of
from console.pages import attempt

router = APIRouter()
MAX_N = 500
KEY_SCAN = 10_000  # records per partition a key search looks through, newest first


@router.get("/topics", response_class=HTMLResponse)
def topics_page(request: Request) -> HTMLResponse:
    console = console_of(request)
    topics, error = attempt(console.sources.broker.topics, [])
    return console.render(
        request,
        "topics.html",
        title="Topics",
        source=f"broker {console.sources.broker.bootstrap} (metadata; log ends read back, not "
        "the reported high watermark)",
        topics=topics,
        error=error,
    )


@router.get("/topics/{topic}", response_class=HTMLResponse)
def topic_page(
    request: Request,
    topic: str,
    mode: Annotated[str, Query(pattern="^(latest|offset|key)$")] = "latest",
    n: Annotated[int, Query(ge=1, le=MAX_N)] = 50,
    partition: Annotated[str, Query(max_length=10)] = "",
    offset: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    key: Annotated[str, Query(max_length=1024)] = "",
) -> HTMLResponse:
    console = console_of(request)
    broker = console.sources.broker
    infos = broker.topics([topic])
    if not infos:
        raise HTTPException(404, f"no topic {topic!r} on broker {broker.bootstrap}")
    info = infos[0]
    if partition and not (partition.isdigit() and int(partition) in info.partitions):
        raise HTTPException(
            422, f"partition {partition!r}: {topic} has partitions {sorted(info.partitions)}"
        )
    chosen = int(partition) if partition else None
    note = ""
    if mode == "offset":
        if chosen is None:
            raise HTTPException(422, "reading from an offset needs a partition")
        records, error = attempt(lambda: broker.from_offset(topic, chosen, offset, n), [])
        note = f"{n} from partition {chosen} offset {offset}"
    elif mode == "key":
        if not key:
            raise HTTPException(422, "a key search needs a key")
        (found, scanned), error = attempt(
            lambda: broker.with_key([topic], key.encode("utf-8", "surrogatepass"), KEY_SCAN),
            ([], {}),
        )
        records = [r for r in found if chosen is None or r.partition == chosen][-n:]
        read = sum(stop - start for start, stop in scanned.values())
        note = f"key {key!r}: searched the newest {read:,} records ({KEY_SCAN:,} per partition)"
    else:
        records, error = attempt(lambda: broker.latest(topic, n, chosen), [])
        where = f"partition {chosen}" if chosen is not None else "all partitions"
        note = f"latest {n} of {where}, newest first"
    decoder = console.sources.decoder
    return console.render(
        request,
        "topic.html",
        title=f"Topic {topic}",
        source=f"broker {broker.bootstrap}; values decoded with their writer schema from "
        f"registry {console.sources.registry.url}",
        info=info,
        messages=[decoder.decode(r) for r in records],
        error=error,
        note=note,
        mode=mode,
        n=n,
        partition=partition,
        offset=offset,
        key=key,
        subject=f"{topic}-value",
    )
