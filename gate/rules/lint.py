"""LINT rules (`make lint`): style and safety of each contract on its own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from gate.rules.base import rule
from gate.rules.model import Change

RECORD_DOC = rule(
    "LINT_TYPE_DOC",
    "LINT",
    "Every record and enum has a non-empty doc.",
    'add "doc": "<what this type is>"',
    '{"type": "record", "name": "OrderLine", "fields": [...]}',
    '{"type": "record", "name": "OrderLine", "doc": "One line of an order.", "fields": [...]}',
)
FIELD_DOC = rule(
    "LINT_FIELD_DOC",
    "LINT",
    "Every field has a non-empty doc.",
    'add "doc": "<what this field means, with its unit>"',
    '{"name": "total", "type": "long"}',
    '{"name": "total", "type": "long", "doc": "Total in cents."}',
)
NAMESPACE = rule(
    "LINT_NAMESPACE_FOLDER",
    "LINT",
    "A contract's namespace matches its folder (contracts/shop/events <-> shop.events).",
    "move the file or change the namespace so they agree",
    'contracts/shop/events/order_created.avsc: "namespace": "shop.orders"',
    'contracts/shop/events/order_created.avsc: "namespace": "shop.events"',
)
OPTIONAL = rule(
    "LINT_OPTIONAL_SHAPE",
    "LINT",
    'An optional field is exactly ["null", T] with "default": null.',
    'write the type as ["null", T] and add "default": null',
    '{"name": "note", "type": ["string", "null"], "default": ""}',
    '{"name": "note", "type": ["null", "string"], "default": null}',
)
ENUM_DEFAULT = rule(
    "LINT_ENUM_DEFAULT",
    "LINT",
    "Every enum has a default symbol, so readers can absorb symbols added later.",
    'add "default": "<a safe symbol>" to the enum',
    '{"type": "enum", "name": "Channel", "symbols": ["EMAIL", "SMS"]}',
    '{"type": "enum", "name": "Channel", "symbols": ["EMAIL", "SMS"], "default": "EMAIL"}',
)
MONEY = rule(
    "LINT_MONEY_NOT_FLOAT",
    "LINT",
    "Money (price, amount, total, cost, fee, tax, balance, refund) is never float or double.",
    'use {"type": "bytes", "logicalType": "decimal", "precision": P, "scale": 2}',
    '{"name": "total", "type": "double"}',
    '{"name": "total", "type": {"type": "bytes", "logicalType": "decimal", "precision": 14, '
    '"scale": 2}}',
)
SNAKE = rule(
    "LINT_FIELD_SNAKE_CASE",
    "LINT",
    "Field names are snake_case.",
    "rename the field to snake_case (before it is first published)",
    '{"name": "orderId", ...}',
    '{"name": "order_id", ...}',
)
PASCAL = rule(
    "LINT_TYPE_PASCAL_CASE",
    "LINT",
    "Record, enum and fixed names are PascalCase.",
    "rename the type to PascalCase (before it is first published)",
    '{"type": "record", "name": "order_line", ...}',
    '{"type": "record", "name": "OrderLine", ...}',
)
METADATA = rule(
    "LINT_EVENT_METADATA",
    "LINT",
    "Every event (a topic's value) has a field of the shared metadata type.",
    'add {"name": "metadata", "type": "shop.common.EventMetadata", "doc": "Event envelope."}',
    '{"type": "record", "name": "OrderPaid", "fields": [{"name": "order_id", ...}]}',
    '{"type": "record", "name": "OrderPaid", "fields": [{"name": "metadata", "type": '
    '"shop.common.EventMetadata", "doc": "Event envelope."}, ...]}',
)
INVALID = rule(
    "LINT_INVALID_SCHEMA",
    "LINT",
    "The contract parses as strict Avro (as the registry parses it).",
    "fix the schema so the registry accepts it",
    '{"name": "quantity", "type": "int", "default": "one"}',
    '{"name": "quantity", "type": "int", "default": 1}',
)
CATALOG_MATCHES_SERVICES = rule(
    "LINT_CATALOG_MATCHES_SERVICES",
    "LINT",
    "A topic's owner and consumers in catalog.yaml are what the services declare: the one "
    "service that publishes it, every service that subscribes to it (`python -m "
    "services.declarations`).",
    "make the catalog entry say what the code does (or change the code)",
    "order_created: {owner: order, consumers: [payment, notification, order]}  # inventory, "
    "shipping and delivery subscribe too",
    "order_created: {owner: order, consumers: [payment, inventory, shipping, delivery, "
    "notification, order]}",
)

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_PASCAL = re.compile(r"^[A-Z][a-zA-Z0-9]*$")
_MONEY = re.compile(r"(price|amount|total|cost|fee|tax|balance|refund|money)", re.I)


def _named(node: Any, path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Every named type or record defined in `node` with its pointer."""
    if isinstance(node, list):
        for i, b in enumerate(node):
            yield from _named(b, f"{path}/{i}")
    elif isinstance(node, dict):
        t = node.get("type")
        if t in ("record", "error", "enum", "fixed"):
            yield node, path
        for i, f in enumerate(node.get("fields", []) if t in ("record", "error") else []):
            yield from _named(f.get("type"), f"{path}/fields/{i}/type")
        for key in ("items", "values"):
            if key in node:
                yield from _named(node[key], f"{path}/{key}")
        if isinstance(t, dict | list):
            yield from _named(t, f"{path}/type")


def _branches(t: Any) -> list[str]:
    if isinstance(t, list):
        return [x for b in t for x in _branches(b)]
    if isinstance(t, dict):
        return _branches(t["type"]) if isinstance(t.get("type"), dict | list) else [str(t["type"])]
    return [str(t)]


def check(schema: dict[str, Any], file: PurePosixPath, metadata: str | None) -> list[Change]:
    """`file` relative to the contracts dir; `metadata` the full name events must carry."""
    out: list[Change] = []
    folder_ns = ".".join(file.parent.parts)
    if schema.get("namespace", "") != folder_ns:
        out.append(
            Change(
                NAMESPACE,
                "/namespace" if "namespace" in schema else "",
                f"namespace '{schema.get('namespace', '')}' does not match folder "
                f"'{file.parent}' (expected '{folder_ns}')",
                f'set "namespace": "{folder_ns}"',
            )
        )
    for node, path in _named(schema, ""):
        name, kind = node.get("name", ""), node.get("type")
        if kind != "fixed" and not str(node.get("doc", "")).strip():
            out.append(
                Change(
                    RECORD_DOC,
                    f"{path}/name",
                    f"{kind} '{name}' has no doc",
                    f"add \"doc\" to {kind} '{name}'",
                )
            )
        if not _PASCAL.match(name.rpartition(".")[2]):
            out.append(
                Change(
                    PASCAL,
                    f"{path}/name",
                    f"{kind} name '{name}' is not PascalCase",
                    "rename it to PascalCase",
                )
            )
        if kind == "enum" and "default" not in node:
            out.append(
                Change(
                    ENUM_DEFAULT,
                    f"{path}/name",
                    f"enum '{name}' has no default symbol",
                    f'add "default": "{node.get("symbols", ["?"])[0]}" (or a safer symbol)',
                )
            )
        if kind in ("record", "error"):
            for i, f in enumerate(node.get("fields", [])):
                out += _field(f, f"{path}/fields/{i}", name)
    if metadata and not any(
        metadata in (b, f"{schema.get('namespace', '')}.{b}")
        for f in schema.get("fields", [])
        for b in _branches(f.get("type"))
    ):
        out.append(
            Change(
                METADATA,
                "/fields",
                f"event '{schema.get('name')}' has no field of type {metadata}",
                f'add {{"name": "metadata", "type": "{metadata}", "doc": "Event '
                f'envelope."}} as the first field',
            )
        )
    return out


def _field(f: dict[str, Any], path: str, owner: str) -> list[Change]:
    out: list[Change] = []
    name = str(f.get("name", ""))
    if not str(f.get("doc", "")).strip():
        out.append(
            Change(
                FIELD_DOC,
                path,
                f"field '{name}' of '{owner}' has no doc",
                f"add \"doc\" to field '{name}'",
            )
        )
    if not _SNAKE.match(name):
        out.append(
            Change(
                SNAKE,
                path,
                f"field name '{name}' is not snake_case",
                f"rename it to '{re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()}'",
            )
        )
    t = f.get("type")
    if (
        isinstance(t, list)
        and "null" in t
        and (len(t) != 2 or t[0] != "null" or "default" not in f or f["default"] is not None)
    ):
        out.append(
            Change(
                OPTIONAL,
                f"{path}/type",
                f"optional field '{name}' is not [\"null\", T] with default null",
                'write ["null", T] and "default": null',
            )
        )
    if _MONEY.search(name) and {"float", "double"} & set(_branches(t)):
        out.append(
            Change(
                MONEY,
                f"{path}/type",
                f"money field '{name}' is a float/double",
                'use {"type": "bytes", "logicalType": "decimal", "precision": 14, "scale": 2}',
            )
        )
    return out
