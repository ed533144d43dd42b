"""CODEGEN rules: changes Avro resolution may survive but the generated classes (and the code that
imports them) do not: renamed or moved types, renamed or removed fields, renamed enum symbols."""

from __future__ import annotations

from collections.abc import Iterable

from avrokit.compatibility import PROMOTIONS
from gate.rules.base import rule
from gate.rules.diff import NAMED, Pair, full_name, kind_of
from gate.rules.model import Change

TYPE_RENAMED = rule(
    "CODEGEN_TYPE_RENAMED",
    "CODEGEN",
    "A record, enum or fixed type was renamed: its generated class changes name.",
    "keep the old name; introduce a new event type (and topic) instead of renaming",
    '{"type": "record", "name": "OrderPlaced", ...}   # was "OrderCreated"',
    '{"type": "record", "name": "OrderCreated", ...}',
)
NAMESPACE_CHANGED = rule(
    "CODEGEN_NAMESPACE_CHANGED",
    "CODEGEN",
    "A named type moved to another namespace: its full name, subject references and generated "
    "class binding change.",
    "keep the old namespace",
    '{"type": "record", "name": "OrderCreated", "namespace": "shop.orders"}  # was shop.events',
    '{"type": "record", "name": "OrderCreated", "namespace": "shop.events", ...}',
)
FIELD_RENAMED = rule(
    "CODEGEN_FIELD_RENAMED",
    "CODEGEN",
    "A field was renamed (an alias may keep the wire readable, but every `event.<old name>` in "
    "code breaks).",
    "keep the old field name; add a new optional field and deprecate the old one in its doc",
    '{"name": "customer_note", "aliases": ["note"], "type": ["null", "string"], "default": null}',
    '{"name": "note", "type": ["null", "string"], "default": null, "doc": "Deprecated: use '
    'customer_note."},\n{"name": "customer_note", "type": ["null", "string"], "default": null}',
)
FIELD_REMOVED = rule(
    "CODEGEN_FIELD_REMOVED",
    "CODEGEN",
    "A field was removed: code that reads it from the generated class breaks.",
    "keep the field (document it as deprecated) until no consumer reads it",
    '"fields": [ ... ]   # "note" deleted',
    '{"name": "note", "type": ["null", "string"], "default": null, "doc": "Deprecated."}',
)
ENUM_SYMBOL_RENAMED = rule(
    "CODEGEN_ENUM_SYMBOL_RENAMED",
    "CODEGEN",
    "An enum symbol was renamed: the generated enum member changes and old data maps elsewhere.",
    "keep the old symbol and add the new one next to it",
    '"symbols": ["EMAIL", "TEXT", "PUSH"]   # SMS renamed to TEXT',
    '"symbols": ["EMAIL", "SMS", "PUSH", "TEXT"]',
)
TYPE_CHANGED = rule(
    "CODEGEN_FIELD_TYPE_CHANGED",
    "CODEGEN",
    "A value's primitive type changed along an Avro promotion (e.g. int -> long, string -> "
    "bytes, or back): readable on the wire in one direction, but the generated Python type "
    "changes.",
    "keep the old type, or add a new field with the new type",
    '{"name": "quantity", "type": "long"}   # was "int"',
    '{"name": "quantity", "type": "int"}',
)

GENERATION_FAILED = rule(
    "CODEGEN_GENERATION_FAILED",
    "CODEGEN",
    "`make codegen` refuses the contracts (e.g. a logical type it cannot generate): no service "
    "can be built from them, and INTEROP cannot run. Reported once, naming the contract and the "
    "subjects it affects.",
    "use what codegen supports (its message says what it expected), or extend codegen first",
    '{"name": "placed_at", "type": {"type": "long", "logicalType": "local-timestamp-millis"}}',
    '{"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}',
)


def check(pairs: Iterable[Pair]) -> list[Change]:
    out: list[Change] = []
    for p in pairs:
        if p.kind == "field_renamed":
            out.append(
                Change(
                    FIELD_RENAMED,
                    p.path,
                    f"field '{p.old['name']}' of '{p.owner}' was renamed to '{p.new['name']}'",
                    f"keep the name '{p.old['name']}' (code reads event.{p.old['name']})",
                )
            )
        elif p.kind == "field_removed":
            out.append(
                Change(
                    FIELD_REMOVED,
                    p.path,
                    f"field '{p.old['name']}' was removed from '{p.owner}'",
                    f"keep field '{p.old['name']}' and mark it deprecated in its doc",
                    p.old["name"],
                )
            )
        elif p.kind == "type":
            out += _type(p)
    return out


def _type(p: Pair) -> list[Change]:
    ok, nk = kind_of(p.old), kind_of(p.new)
    if ok != nk:
        if nk in PROMOTIONS.get(ok, ()) or ok in PROMOTIONS.get(nk, ()):
            return [
                Change(
                    TYPE_CHANGED,
                    p.path,
                    f"type changed from {ok} to {nk}",
                    f"keep {ok}, or add a new field of type {nk}",
                )
            ]
        return []  # not resolvable either way: WIRE reports it
    if ok == "ref":
        oname = full_name(p.old if isinstance(p.old, str) else p.old["type"], p.extra["old_ns"])
        nname = full_name(p.new if isinstance(p.new, str) else p.new["type"], p.extra["new_ns"])
        return _names(p, oname, nname, "type reference")
    if ok not in NAMED:
        return []
    oname, nname = full_name(p.old, p.extra["old_ns"]), full_name(p.new, p.extra["new_ns"])
    out = _names(p, oname, nname, ok)
    if ok == "enum":
        removed = [s for s in p.old["symbols"] if s not in p.new["symbols"]]
        added = [s for s in p.new["symbols"] if s not in p.old["symbols"]]
        for old_sym, new_sym in zip(removed, added, strict=False):
            out.append(
                Change(
                    ENUM_SYMBOL_RENAMED,
                    f"{p.path}/symbols",
                    f"enum '{nname}' symbol {old_sym} was renamed to {new_sym}",
                    f"keep symbol {old_sym} and add {new_sym} next to it",
                )
            )
    return out


def _names(p: Pair, oname: str, nname: str, what: str) -> list[Change]:
    if oname == nname:
        return []
    (ons, _, oshort), (nns, _, nshort) = oname.rpartition("."), nname.rpartition(".")
    where = f"{p.path}/name" if isinstance(p.new, dict) and "name" in p.new else p.path
    if oshort == nshort:
        return [
            Change(
                NAMESPACE_CHANGED,
                where,
                f"{what} '{oshort}' moved from namespace '{ons}' to '{nns}'",
                f"keep namespace '{ons}'",
            )
        ]
    return [
        Change(
            TYPE_RENAMED,
            where,
            f"{what} '{oname}' was renamed to '{nname}'",
            f"keep the name '{oshort}'; publish a new event type instead",
        )
    ]
