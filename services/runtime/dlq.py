"""The dead letter queue: the original key and value bytes, untouched, with why and from where."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from services.runtime.messages import Incoming
from services.runtime.sinks import Sink

DLQ_TOPIC = "dead_letter_queue"
PREFIX = "dlq."
REDRIVE_COUNT = PREFIX + "redrive.count"


@dataclass(frozen=True)
class Failure:
    error_class: str
    message: str
    attempts: int
    first_failure: datetime.datetime
    last_failure: datetime.datetime


def dlq_headers(
    msg: Incoming, service: str, group: str, failure: Failure
) -> list[tuple[str, bytes]]:
    """The message's own headers (a redrive restores them) plus `dlq.*` facts of the failure."""
    redrives = (msg.header(REDRIVE_COUNT) or b"0").decode()
    fields = {
        "original.topic": msg.topic,
        "original.partition": str(msg.partition),
        "original.offset": str(msg.offset),
        "original.timestamp": str(msg.timestamp_ms),
        "service": service,
        "consumer.group": group,
        "error.class": failure.error_class,
        "error.message": failure.message[:2000],
        "attempts": str(failure.attempts),
        "first.failure": failure.first_failure.isoformat(),
        "last.failure": failure.last_failure.isoformat(),
        "redrive.count": redrives,
    }
    own = [(k, v) for k, v in msg.headers if not k.startswith(PREFIX)]
    return own + [(PREFIX + k, v.encode()) for k, v in fields.items()]


def queue_for_dlq(sink: Sink, msg: Incoming, service: str, group: str, failure: Failure) -> None:
    """Hand the entry to the sink; it is sent for sure only once `sink.flush()` returned."""
    sink.send(DLQ_TOPIC, msg.key, msg.value, dlq_headers(msg, service, group, failure))


def send_to_dlq(sink: Sink, msg: Incoming, service: str, group: str, failure: Failure) -> None:
    queue_for_dlq(sink, msg, service, group, failure)
    sink.flush()
