"""Generated events <-> Confluent wire format (magic byte 0, 4-byte schema id, Avro body).

The body is written and read with fastavro against pre-parsed schemas; the registry is asked only
once per schema id or subject (results are cached).  Producers never register schemas: contracts
are registered from contracts/ by `make register`, and `prepare_writer` fails at start-up naming
the subject when a producer's schema is not there.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any, Protocol, cast

import fastavro
import pydantic
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from avrokit.defaults import parse_with_shared
from services.events import SHARED_SCHEMAS, TOPIC_TYPES, Event
from services.runtime.errors import (
    NotFramedError,
    SubjectNotRegisteredError,
    TransientError,
    UndecodableError,
    UnknownSchemaError,
    ValidationFailedError,
)
from services.runtime.fast_model import from_avro, to_avro

MAGIC_BYTE = 0
HEADER = struct.Struct(">bI")


class Codec(Protocol):
    """What the processor and the unit of work need of a serde (EventSerde in a service)."""

    def serialize(self, event: Event, topic: str) -> bytes: ...

    def deserialize(self, data: bytes | None, topic: str) -> Event: ...


@dataclass(frozen=True)
class _Writer:
    schema_id: int
    parsed: Any
    header: bytes  # magic byte + schema id, written before every body


@dataclass(frozen=True)
class _Reader:
    event_type: type[Event]
    parsed: Any
    schema_id: int | None  # the id of this exact schema, when registered


class EventSerde:
    """Serializer and deserializer for every generated event class, through one registry."""

    def __init__(self, registry: SchemaRegistryClient) -> None:
        self.registry = registry
        self._writers: dict[tuple[str, type], _Writer] = {}  # (topic, class) -> writer
        self._readers: dict[str, _Reader] = {}  # topic -> reader
        self._writer_schemas: dict[int, Any] = {}  # schema id -> parsed writer schema

    @classmethod
    def from_url(cls, url: str) -> EventSerde:
        # The runtime retries transient failures itself, pausing only the affected partition;
        # the client's own retries (3, up to 20 s apart) would block the whole consumer thread.
        conf = {"url": url, "timeout": 5, "max.retries": 1, "retries.wait.ms": 200}
        return cls(SchemaRegistryClient(conf))

    # -- producing ---------------------------------------------------------------------------

    def prepare_writer(self, event_type: type[Event], topic: str) -> None:
        """Look up the registry id of the class's schema under `<topic>-value`, or fail loudly."""
        subject = f"{topic}-value"
        references = [self._reference(name) for name in event_type.AVRO_REFERENCES]
        schema = Schema(event_type.AVRO_SCHEMA, "AVRO", references)
        registered = self._lookup(subject, schema)
        parsed = parse_with_shared(event_type.AVRO_SCHEMA, SHARED_SCHEMAS)
        header = HEADER.pack(MAGIC_BYTE, registered.schema_id)
        self._writers[(topic, event_type)] = _Writer(registered.schema_id, parsed, header)

    def _reference(self, full_name: str) -> SchemaReference:
        registered = self._lookup(full_name, Schema(SHARED_SCHEMAS[full_name], "AVRO"))
        return SchemaReference(full_name, full_name, registered.version)

    def _lookup(self, subject: str, schema: Schema) -> Any:
        try:
            return self.registry.lookup_schema(subject, schema)
        except SchemaRegistryError as exc:
            if exc.http_status_code == 404:
                raise SubjectNotRegisteredError(
                    f"subject {subject!r}: this service's schema is not registered "
                    f"({exc.error_message}). Register the contracts first: `make register`."
                ) from exc
            raise TransientError(f"registry lookup of subject {subject!r} failed: {exc}") from exc
        except Exception as exc:  # no answer (the client's own httpx errors are not OSError)
            raise TransientError(f"registry unreachable for subject {subject!r}: {exc}") from exc

    def serialize(self, event: Event, topic: str) -> bytes:
        key = (topic, type(event))
        writer = self._writers.get(key)
        if writer is None:
            self.prepare_writer(type(event), topic)
            writer = self._writers[key]
        out = io.BytesIO(writer.header)
        out.seek(HEADER.size)
        fastavro.schemaless_writer(out, writer.parsed, to_avro(event))
        return out.getvalue()

    # -- consuming ---------------------------------------------------------------------------

    def deserialize(self, data: bytes | None, topic: str) -> Event:
        """Framed bytes from `topic` -> an instance of the topic's generated class."""
        schema_id = framed_schema_id(data, topic)
        assert data is not None
        reader = self._reader(topic)
        # Written with the reader's own schema: no resolution, and the record's Python types are
        # exactly the class's, so the fast constructor applies (see fast_model.from_avro).
        own = schema_id == reader.schema_id
        writer = None if own else self._writer_schema(schema_id, topic)
        body = io.BytesIO(data)
        body.seek(HEADER.size)
        try:
            record = fastavro.schemaless_reader(
                body, writer or reader.parsed, reader.parsed if writer else None
            )
        except Exception as exc:  # fastavro raises many kinds on bad bytes
            raise UndecodableError(
                f"topic {topic!r}: schema id {schema_id}: Avro body does not decode: {exc!r}"
            ) from exc
        try:
            if own:
                return from_avro(reader.event_type, cast(dict[str, Any], record))  # a record
            return reader.event_type.model_validate(record)
        except pydantic.ValidationError as exc:
            raise ValidationFailedError(
                f"topic {topic!r}: {reader.event_type.__name__}: {exc}"
            ) from exc

    def decode_record(self, data: bytes | None, topic: str) -> tuple[int, Any]:
        """Framed bytes from any topic -> (schema id, the record as its writer schema reads it),
        for tools that show messages; fails with the same errors as `deserialize`."""
        schema_id = framed_schema_id(data, topic)
        assert data is not None
        writer = self._writer_schema(schema_id, topic)
        body = io.BytesIO(data)
        body.seek(HEADER.size)
        try:
            return schema_id, fastavro.schemaless_reader(body, writer, None)
        except Exception as exc:  # fastavro raises many kinds on bad bytes
            raise UndecodableError(
                f"topic {topic!r}: schema id {schema_id}: Avro body does not decode: {exc!r}"
            ) from exc

    def _reader(self, topic: str) -> _Reader:
        reader = self._readers.get(topic)
        if reader is None:
            event_type = TOPIC_TYPES[topic]
            parsed = parse_with_shared(event_type.AVRO_SCHEMA, SHARED_SCHEMAS, for_reading=True)
            try:
                self.prepare_writer(event_type, topic)
                own_id: int | None = self._writers[(topic, event_type)].schema_id
            except SubjectNotRegisteredError:
                own_id = None  # fine for a reader: it resolves whatever writer schema arrives
            reader = self._readers[topic] = _Reader(event_type, parsed, own_id)
        return reader

    def _writer_schema(self, schema_id: int, topic: str) -> Any:
        parsed = self._writer_schemas.get(schema_id)
        if parsed is None:
            try:
                schema = self.registry.get_schema(schema_id)
                shared = self._resolve_references(schema)
            except SchemaRegistryError as exc:
                if exc.http_status_code == 404:
                    raise UnknownSchemaError(
                        f"topic {topic!r}: schema id {schema_id} is not in the registry"
                    ) from exc
                raise TransientError(f"registry: schema id {schema_id}: {exc}") from exc
            except Exception as exc:  # no answer (the client's own httpx errors are not OSError)
                raise TransientError(
                    f"registry unreachable fetching id {schema_id}: {exc}"
                ) from exc
            text = str(schema.schema_str)
            parsed = self._writer_schemas[schema_id] = parse_with_shared(text, shared)
        return parsed

    def _resolve_references(self, schema: Schema) -> dict[str, str]:
        """Texts of every named type `schema` references, depth first (dependencies first)."""
        resolved: dict[str, str] = {}
        for ref in schema.references or []:
            assert ref.subject and ref.name and ref.version is not None, f"bad reference {ref}"
            registered = self.registry.get_version(ref.subject, ref.version)
            resolved.update(self._resolve_references(registered.schema))
            resolved[ref.name] = str(registered.schema.schema_str)
        return resolved


def framed_schema_id(data: bytes | None, topic: str) -> int:
    if data is None or len(data) < HEADER.size or data[0] != MAGIC_BYTE:
        raise NotFramedError(
            f"topic {topic!r}: value is not Confluent-framed Avro "
            f"({'empty' if not data else f'first byte {data[0]:#04x}'})"
        )
    return int(HEADER.unpack_from(data)[1])
