"""Defaults of fields the writer did not have come back as the values they stand for (the spec's
encoding of bytes, fixed and logical-type defaults), not as the raw JSON of the schema."""

from __future__ import annotations

import datetime
import decimal
import io
import json
import uuid

import fastavro

from avrokit.defaults import parse_with_shared, typed_default

OLD = {"type": "record", "name": "R", "namespace": "t", "fields": [{"name": "a", "type": "string"}]}
NEW_FIELDS = [
    {
        "name": "price",
        "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2},
        "default": "\u0001\u00f4",  # unscaled 500 -> 5.00
    },
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}, "default": 1500},
    {"name": "day", "type": {"type": "int", "logicalType": "date"}, "default": 3},
    {"name": "raw", "type": "bytes", "default": "\u00ff\u0000"},
    {"name": "tag", "type": {"type": "fixed", "name": "Tag", "size": 2}, "default": "ab"},
    {"name": "opt", "type": ["null", "string"], "default": None},
    {
        "name": "inner",
        "type": {
            "type": "record",
            "name": "Inner",
            "fields": [
                {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
                {"name": "n", "type": "long"},
            ],
        },
        "default": {"id": "12345678-1234-5678-1234-567812345678", "n": 7},
    },
    {"name": "tags", "type": {"type": "array", "items": "Tag"}, "default": ["xy"]},
]
NEW = {**OLD, "fields": OLD["fields"] + NEW_FIELDS}


def _read_old_with_new(for_reading: bool) -> dict[str, object]:
    writer = fastavro.parse_schema(OLD)
    reader = parse_with_shared(json.dumps(NEW), {}, for_reading=for_reading)
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, writer, {"a": "x"})
    buf.seek(0)
    return fastavro.schemaless_reader(buf, writer, reader)  # type: ignore[return-value]


def test_reader_schema_fills_missing_fields_with_typed_defaults() -> None:
    record = _read_old_with_new(for_reading=True)
    assert record["price"] == decimal.Decimal("5.00")
    assert record["at"] == datetime.datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=datetime.UTC)
    assert record["day"] == datetime.date(1970, 1, 4)
    assert record["raw"] == b"\xff\x00"
    assert record["tag"] == b"ab"
    assert record["opt"] is None
    assert record["inner"] == {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "n": 7}
    assert record["tags"] == [b"xy"]


def test_without_typing_fastavro_returns_the_raw_json_defaults() -> None:
    """The reason for_reading exists: fastavro alone hands back strings and numbers."""
    record = _read_old_with_new(for_reading=False)
    assert record["price"] == "\u0001\u00f4"
    assert record["at"] == 1500


def test_typed_default_resolves_named_types_and_union_first_branch() -> None:
    named: dict[str, object] = {}
    fixed = {"type": "fixed", "name": "F", "namespace": "n", "size": 1}
    assert typed_default(fixed, "\u0007", named) == b"\x07"
    assert typed_default("n.F", "\u0008", named) == b"\x08"  # by name, once defined
    assert typed_default("F", "\u0009", named, "n") == b"\x09"  # short name in its namespace
    union = [{"type": "int", "logicalType": "date"}, "null"]
    assert typed_default(union, 1, named) == datetime.date(1970, 1, 2)
    assert typed_default("string", "plain", named) == "plain"
