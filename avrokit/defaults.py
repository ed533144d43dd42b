"""Avro default values (JSON, as written in a schema) -> the Python values a reader should see.

The spec writes `bytes` and `fixed` defaults as strings of code points 0-255 and logical types as
their underlying type (a decimal's unscaled bytes, a timestamp's milliseconds). fastavro hands
those JSON values back unconverted when it fills a field the writer did not have; the runtime
replaces them with `typed_default` values first, and codegen renders the same values as source.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from avrokit.names import PRIMITIVES, full_name

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
