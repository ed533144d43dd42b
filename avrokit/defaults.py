"""Avro default values (JSON, as written in a schema) -> the Python values a reader should see,
and `parse_with_shared`, the fastavro parse that applies them to a reader schema.

The spec writes `bytes` and `fixed` defaults as strings of code points 0-255 and logical types as
their underlying type (a decimal's unscaled bytes, a timestamp's milliseconds). fastavro hands
those JSON values back unconverted when it fills a field the writer did not have; the runtime
replaces them with `typed_default` values first, and codegen renders the same values as source.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Mapping
from typing import Any

import fastavro

from avrokit.names import PRIMITIVES, full_name, namespace_of

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def code_points(value: str) -> bytes:
    """A `bytes`/`fixed` default: each character is one byte."""
    return value.encode("latin-1")


def logical_default(node: dict[str, Any], value: Any) -> Any:
    """The value of a default of a type with a logicalType we understand; others unchanged."""
    logical = node.get("logicalType")
    if logical == "decimal" and isinstance(value, str):
        unscaled = int.from_bytes(code_points(value), "big", signed=True)
        return decimal.Decimal(unscaled).scaleb(-int(node.get("scale", 0)))
    if logical == "uuid" and isinstance(value, str):
        return uuid.UUID(value)
    if logical == "timestamp-millis" and isinstance(value, int):
        return EPOCH + datetime.timedelta(milliseconds=value)
    if logical == "date" and isinstance(value, int):
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=value)
    if logical == "time-millis" and isinstance(value, int):
        return (EPOCH + datetime.timedelta(milliseconds=value)).time()
    if node.get("type") in ("bytes", "fixed") and isinstance(value, str):
        return code_points(value)
    return value


def typed_default(
    node: Any, value: Any, named: dict[str, Any], namespace: str | None = None
) -> Any:
    """`value` (the JSON default of a field of type `node`) as Python values, recursively.
    `named` maps full names to the definitions of named types seen so far (filled as we go)."""
    if isinstance(node, list):  # a union's default belongs to its first branch
        return typed_default(node[0], value, named, namespace) if node else value
    if isinstance(node, str):
        if node in PRIMITIVES:
            return code_points(value) if node == "bytes" and isinstance(value, str) else value
        definition = named.get(full_name(node, namespace))
        return value if definition is None else typed_default(definition, value, named)
    if not isinstance(node, dict):
        return value
    kind = node.get("type")
    if kind in ("record", "error", "enum", "fixed"):
        name = full_name(node, namespace)
        named.setdefault(name, node)
        namespace = name.rpartition(".")[0]
    if kind in ("record", "error") and isinstance(value, dict):
        fields = {f["name"]: f["type"] for f in node.get("fields", [])}
        return {
            k: typed_default(fields[k], v, named, namespace) if k in fields else v
            for k, v in value.items()
        }
    if kind == "array" and isinstance(value, list):
        return [typed_default(node["items"], v, named, namespace) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: typed_default(node["values"], v, named, namespace) for k, v in value.items()}
    if isinstance(kind, dict | list):
        return typed_default(kind, value, named, namespace)
    return logical_default(node, value)


def type_field_defaults(node: Any, named: dict[str, Any]) -> None:
    """Replace, in place, every field default inside the fastavro-parsed `node` by its typed
    value, so a reader schema fills fields its writer lacked with Python values."""
    if isinstance(node, list):
        for branch in node:
            type_field_defaults(branch, named)
    elif isinstance(node, dict):
        kind = node.get("type")
        if kind in ("record", "error"):
            namespace = namespace_of(node["name"])  # fastavro keeps full names
            for fld in node["fields"]:
                if "default" in fld:
                    fld["default"] = typed_default(fld["type"], fld["default"], named, namespace)
                type_field_defaults(fld["type"], named)
        elif kind == "array":
            type_field_defaults(node["items"], named)
        elif kind == "map":
            type_field_defaults(node["values"], named)
        elif isinstance(kind, dict | list):
            type_field_defaults(kind, named)


def parse_with_shared(
    schema_text: str, shared: Mapping[str, str], *, for_reading: bool = False
) -> Any:
    """fastavro-parse `schema_text`, resolving named types from `shared` (full name -> text,
    dependencies first).

    `for_reading`: the schema will be the reader of a resolution, so its field defaults are
    replaced by the Python values they stand for (fastavro would hand back the raw JSON of a
    decimal's or a timestamp's default for a field the writer did not have)."""
    named: dict[str, Any] = {}
    for text in shared.values():
        fastavro.parse_schema(json.loads(text), named_schemas=named)
    parsed = fastavro.parse_schema(json.loads(schema_text), named_schemas=named)
    if for_reading:
        for node in [parsed, *named.values()]:
            type_field_defaults(node, named)
    return parsed
