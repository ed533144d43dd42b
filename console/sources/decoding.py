"""Records as a person reads them: the value decoded through the registry with its schema id,
subject and version, or why it does not decode and what its bytes look like."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from console.sources.registry import RegistryError, RegistrySource, RegistryUnavailable
from services.runtime.errors import NotFramedError, ProcessingError
from services.runtime.messages import Incoming
from services.runtime.serde import EventSerde, framed_schema_id
from stack.dlq_tool import preview_bytes

MAX_JSON_CHARS = 64 * 1024
PREVIEW_CHARS = 160


@dataclass(frozen=True)
class Decoded:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: str
    headers: list[tuple[str, str]]
    size: int
    schema_id: int | None = None
    subject_versions: list[tuple[str, int]] = field(default_factory=list)
    record: dict[str, Any] | None = None
    error: str | None = None  # why the value does not decode
    raw: str = ""  # hex preview of bytes that do not decode

    @property
    def timestamp(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.timestamp_ms / 1000, datetime.UTC)

    @property
    def json(self) -> str:
        if self.record is None:
            return ""
        text = json.dumps(self.record, indent=2, default=_plain, ensure_ascii=False)
        if len(text) > MAX_JSON_CHARS:
            return text[:MAX_JSON_CHARS] + f"\n... ({len(text)} characters, cut)"
        return text

    @property
    def preview(self) -> str:
        """The record on one line, cut to a glance."""
        if self.record is None:
            return ""
        facts = {k: v for k, v in self.record.items() if k != "metadata"}  # the envelope last
        if "metadata" in self.record:
            facts["metadata"] = self.record["metadata"]
        text = json.dumps(facts, default=_plain, ensure_ascii=False)
        return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"

    def field(self, *path: str) -> Any:
        """A nested value of the decoded record, or None."""
        value: Any = self.record
        for name in path:
            value = value.get(name) if isinstance(value, dict) else None
        return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return preview_bytes(value)
    return repr(value)


def _schema_id(value: bytes | None) -> int | None:
    try:
        return framed_schema_id(value, "")
    except NotFramedError:
        return None


def text_of(data: bytes | None) -> str:
    """Key or header bytes as text; bytes that are not UTF-8 are shown as hex."""
    if data is None:
        return "(null)"
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "0x " + preview_bytes(data)


class Decoder:
    def __init__(self, serde: EventSerde, registry: RegistrySource) -> None:
        self.serde = serde
        self.registry = registry

    def decode(self, record: Incoming, topic: str | None = None) -> Decoded:
        """`record` decoded as a message of `topic` (its own topic unless a DLQ entry's origin)."""
        base = Decoded(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp_ms=record.timestamp_ms,
            key=text_of(record.key),
            headers=[(k, text_of(v)) for k, v in record.headers],
            size=len(record.value or b""),
        )
        try:
            schema_id, value = self.serde.decode_record(record.value, topic or record.topic)
        except Exception as exc:  # whatever the bytes provoke is shown, never raised
            reason = exc.error_class if isinstance(exc, ProcessingError) else type(exc).__name__
            return replace(
                base,
                schema_id=_schema_id(record.value),
                error=f"{reason}: {exc}",
                raw=preview_bytes(record.value, 64),
            )
        subject = f"{topic or record.topic}-value"
        versions = self._versions(schema_id)
        return replace(
            base,
            schema_id=schema_id,
            subject_versions=[sv for sv in versions if sv[0] == subject] or versions,
            record=value if isinstance(value, dict) else {"value": value},
        )

    def _versions(self, schema_id: int) -> list[tuple[str, int]]:
        try:
            return self.registry.subject_versions_of(schema_id)
        except (RegistryError, RegistryUnavailable):
            return []
