"""SEMANTIC rules: the bytes still resolve, but they mean something else."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from avrokit import CompatibilityLevel
from gate.rules.base import rule
from gate.rules.diff import Pair, kind_of
from gate.rules.model import Change

LOGICAL_ADDED = rule(
    "SEMANTIC_LOGICAL_TYPE_ADDED",
    "SEMANTIC",
    "A logical type was added to an existing value: old bytes are now read as something else.",
    "add a new field with the logical type instead",
    '{"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}\n'
    '# was "long"',
    '{"name": "placed_at", "type": "long"}',
)
LOGICAL_REMOVED = rule(
    "SEMANTIC_LOGICAL_TYPE_REMOVED",
    "SEMANTIC",
    "A logical type was removed: readers get raw bytes/numbers where they got decimals, times, "
    "uuids.",
    "keep the logical type",
    '{"name": "total", "type": "bytes"}   # was decimal(14, 2)',
    '{"name": "total", "type": {"type": "bytes", "logicalType": "decimal", "precision": 14, '
    '"scale": 2}}',
)
LOGICAL_CHANGED = rule(
    "SEMANTIC_LOGICAL_TYPE_CHANGED",
    "SEMANTIC",
    "A logical type was replaced by another one over the same bytes.",
    "keep the logical type; add a new field for the new representation",
    '{"type": "int", "logicalType": "time-millis"}   # was "date"',
    '{"type": "int", "logicalType": "date"}',
)
TIMESTAMP_UNIT = rule(
    "SEMANTIC_TIMESTAMP_UNIT_CHANGED",
    "SEMANTIC",
    "timestamp-millis <-> timestamp-micros (or local-timestamp-*): the same long is off by 1000x.",
    "keep the unit; add a new field with the new unit",
    '{"type": "long", "logicalType": "timestamp-micros"}   # was timestamp-millis',
    '{"type": "long", "logicalType": "timestamp-millis"}',
)
DECIMAL_SCALE = rule(
    "SEMANTIC_DECIMAL_SCALE_CHANGED",
    "SEMANTIC",
    "A decimal's scale changed: the same unscaled integer now means a value 10^n times off.",
    "keep the scale; add a new field with the new scale",
    '{"type": "bytes", "logicalType": "decimal", "precision": 14, "scale": 3}   # was scale 2',
    '{"type": "bytes", "logicalType": "decimal", "precision": 14, "scale": 2}',
)
DECIMAL_PRECISION = rule(
    "SEMANTIC_DECIMAL_PRECISION_CHANGED",
    "SEMANTIC",
    "A decimal's precision changed: values valid for one side overflow the other.",
    "keep the precision; add a new field with the new precision",
    '{"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}   # was 14',
    '{"type": "bytes", "logicalType": "decimal", "precision": 14, "scale": 2}',
)
DEFAULT_CHANGED = rule(
    "SEMANTIC_DEFAULT_CHANGED",
    "SEMANTIC",
    "A field's default changed: events without the field now mean something else depending on "
    "which version reads them.",
    "keep the default",
    '{"name": "gift_wrap", "type": "boolean", "default": true}   # was false',
    '{"name": "gift_wrap", "type": "boolean", "default": false}',
)
ENUM_DEFAULT_REMOVED = rule(
    "SEMANTIC_ENUM_DEFAULT_REMOVED",
    "SEMANTIC",
    "An enum's default symbol was removed: readers can no longer absorb symbols they do not know.",
    "keep the enum's default",
    '{"type": "enum", "name": "Channel", "symbols": ["EMAIL", "SMS"]}   # "default" dropped',
    '{"type": "enum", "name": "Channel", "symbols": ["EMAIL", "SMS"], "default": "EMAIL"}',
)
ENUM_DEFAULT_CHANGED = rule(
    "SEMANTIC_ENUM_DEFAULT_CHANGED",
    "SEMANTIC",
    "An enum's default symbol changed: unknown symbols now map to a different meaning.",
    "keep the enum's default symbol",
    '"default": "SMS"   # was "EMAIL"',
    '"default": "EMAIL"',
)
ENUM_SYMBOL_REMOVED = rule(
    "SEMANTIC_ENUM_SYMBOL_REMOVED",
    "SEMANTIC",
    "An enum symbol was removed while the level requires reading old data: old events carrying it "
    "are silently read as the enum's default. (Without a default, WIRE_MISSING_ENUM_SYMBOLS "
    "reports it.) Not reported at FORWARD* or NONE levels, which never read old data with new "
    "code.",
    "keep the symbol (document it as no longer produced)",
    '"symbols": ["EMAIL", "SMS"]   # PUSH removed, default EMAIL',
    '"symbols": ["EMAIL", "SMS", "PUSH"], "doc": "... PUSH is no longer sent."',
)

_TIMESTAMPS = {
    "timestamp-millis",
    "timestamp-micros",
    "timestamp-nanos",
    "local-timestamp-millis",
    "local-timestamp-micros",
    "local-timestamp-nanos",
}


def _logical(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) and "logicalType" in node else {}


def check(pairs: Iterable[Pair], level: CompatibilityLevel) -> list[Change]:
    out: list[Change] = []
    for p in pairs:
        if p.kind == "field":
            if "default" in p.old and "default" in p.new and p.old["default"] != p.new["default"]:
                out.append(
                    Change(
                        DEFAULT_CHANGED,
                        f"{p.path}/default",
                        f"default of field '{p.new['name']}' changed from "
                        f"{json.dumps(p.old['default'])} to {json.dumps(p.new['default'])}",
                        f"keep the default {json.dumps(p.old['default'])}",
                    )
                )
        elif p.kind == "type":
            out += _logical_changes(p)
            if kind_of(p.old) == kind_of(p.new) == "enum":
                out += _enum(p, level)
    return out


def _logical_changes(p: Pair) -> list[Change]:
    old, new = _logical(p.old), _logical(p.new)
    olt, nlt = old.get("logicalType"), new.get("logicalType")
    if olt == nlt is None:
        return []
    if olt is None:
        return [
            Change(
                LOGICAL_ADDED,
                p.path,
                f"logical type {nlt} was added",
                f"keep the plain {kind_of(p.old)}; add a new field for the {nlt}",
            )
        ]
    if nlt is None:
        return [
            Change(
                LOGICAL_REMOVED,
                p.path,
                f"logical type {olt} was removed",
                f"keep logicalType {olt}",
            )
        ]
    if olt != nlt:
        r = TIMESTAMP_UNIT if olt in _TIMESTAMPS and nlt in _TIMESTAMPS else LOGICAL_CHANGED
        return [
            Change(
                r,
                f"{p.path}/logicalType",
                f"logical type changed from {olt} to {nlt}",
                f"keep logicalType {olt}; add a new field for {nlt}",
            )
        ]
    out = []
    if olt == "decimal":
        for key, r in (("scale", DECIMAL_SCALE), ("precision", DECIMAL_PRECISION)):
            ov, nv = old.get(key, 0), new.get(key, 0)
            if ov != nv:
                out.append(
                    Change(
                        r,
                        f"{p.path}/{key}",
                        f"decimal {key} changed from {ov} to {nv}",
                        f"keep {key} {ov}; add a new field for {key} {nv}",
                    )
                )
    return out


def _enum(p: Pair, level: CompatibilityLevel) -> list[Change]:
    out = []
    name = p.new["name"]
    od, nd = p.old.get("default"), p.new.get("default")
    if od is not None and nd is None:
        out.append(
            Change(
                ENUM_DEFAULT_REMOVED,
                p.path,
                f"enum '{name}' lost its default {od}",
                f'add "default": "{od}" back',
            )
        )
    elif od is not None and od != nd:
        out.append(
            Change(
                ENUM_DEFAULT_CHANGED,
                f"{p.path}/default",
                f"enum '{name}' default changed from {od} to {nd}",
                f'keep "{od}"',
            )
        )
    removed = [s for s in p.old["symbols"] if s not in p.new["symbols"]]
    added = [s for s in p.new["symbols"] if s not in p.old["symbols"]]
    removed = removed[len(added) :]  # the first ones pair up as renames (CODEGEN)
    if removed and nd is not None and level.backward:
        out.append(
            Change(
                ENUM_SYMBOL_REMOVED,
                f"{p.path}/symbols",
                f"enum '{name}' lost symbols {', '.join(removed)}: old events carrying them "
                f"will be read as {nd} ({level} reads old data)",
                f"keep symbols {', '.join(removed)} in enum '{name}'",
            )
        )
    return out
