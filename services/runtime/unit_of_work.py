"""The unit of work a handler runs in: one database transaction holding the service's state
change, the inbox record of the event handled, and the outbox rows of the events it publishes.
Either all of it commits or none of it does."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Mapping

from services.events import Event, EventMetadata
from services.runtime.outbox import EVENT_ID_HEADER
from services.runtime.serde import Codec
from services.runtime.store import Connection

EVENT_TYPE_HEADER = "event_type"
# Headers the outbox relay and the runtime set themselves: a publisher may not name them.
RESERVED_HEADERS = frozenset({EVENT_ID_HEADER, EVENT_TYPE_HEADER})


def now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def new_metadata(
    producer: str, correlation_id: uuid.UUID, causation_id: uuid.UUID | None = None
) -> EventMetadata:
    return EventMetadata(
        event_id=uuid.uuid4(),
        correlation_id=correlation_id,
        causation_id=causation_id,
        occurred_at=now_utc(),
        producer=producer,
    )


class UnitOfWork:
    def __init__(
        self,
        conn: Connection,
        serde: Codec,
        service: str,
        incoming: Event | None = None,
    ) -> None:
        self.conn = conn
        self.serde = serde
        self.service = service
        self.incoming = incoming
        self.published: list[Event] = []

    def next_metadata(self) -> EventMetadata:
        """Metadata for an event caused by the one being handled (same saga, new event id)."""
        if self.incoming is None:
            raise RuntimeError("next_metadata() needs an incoming event; use new_metadata()")
        meta = self.incoming.metadata
        return new_metadata(self.service, meta.correlation_id, meta.event_id)

    def publish(
        self, event: Event, topic: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        """Queue `event` in the outbox, keyed by its partition key; it reaches Kafka after the
        transaction commits, with the headers `event_id`, `event_type` (its class) and `headers`
        (what its consumers may filter on before decoding it)."""
        topics = event.TOPICS
        if topic is None:
            if len(topics) != 1:
                raise ValueError(f"{type(event).__name__} goes to one of {topics}: name the topic")
            topic = topics[0]
        elif topic not in topics:
            raise ValueError(f"{type(event).__name__} is not carried by topic {topic!r}")
        if reserved := RESERVED_HEADERS.intersection(headers or {}):
            name = sorted(reserved)[0]
            raise ValueError(f"header {name!r} is set by the runtime: use another name")
        value = self.serde.serialize(event, topic)
        named = json.dumps({EVENT_TYPE_HEADER: type(event).__name__, **(headers or {})})
        self.conn.execute(
            "INSERT INTO outbox (topic, key, value, event_id, headers) VALUES (?, ?, ?, ?, ?)",
            (topic, event.partition_key(), value, str(event.metadata.event_id), named),
        )
        self.published.append(event)
