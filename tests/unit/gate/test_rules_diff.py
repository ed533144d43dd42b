"""CODEGEN and SEMANTIC rules over old/new schema pairs."""

from __future__ import annotations

import copy
from typing import Any

from avrokit import CompatibilityLevel as L
from gate.rules import codegen, semantic
from gate.rules.diff import walk

BASE: dict[str, Any] = {
    "type": "record",
    "name": "Paid",
    "namespace": "shop.events",
    "doc": "d",
    "fields": [
        {"name": "metadata", "type": "shop.common.EventMetadata"},
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 14, "scale": 2},
        },
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "count", "type": "int", "default": 0},
        {"name": "note", "type": ["null", "string"], "default": None},
        {
            "name": "reason",
            "type": {"type": "enum", "name": "Reason", "symbols": ["A", "B", "C"], "default": "A"},
        },
        {
            "name": "lines",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Line",
                    "fields": [{"name": "sku", "type": "string"}],
                },
            },
        },
    ],
}


def ids(new: dict[str, Any], level: L = L.FULL_TRANSITIVE) -> list[tuple[str, str]]:
    pairs = list(walk(BASE, new))
    return [(c.rule.id, c.path) for c in codegen.check(pairs) + semantic.check(pairs, level)]


def changed(path: list[Any], value: Any) -> dict[str, Any]:
    new = copy.deepcopy(BASE)
    node = new
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return new


def test_identical_schemas_have_no_findings() -> None:
    assert ids(copy.deepcopy(BASE)) == []


def test_record_renamed_and_namespace_moved() -> None:
    assert ids(changed(["name"], "Charged")) == [("CODEGEN_TYPE_RENAMED", "/name")]
    moved = ids(changed(["namespace"], "shop.payments"))  # nested types inherit the namespace
    assert moved == [
        ("CODEGEN_NAMESPACE_CHANGED", p)
        for p in ("/name", "/fields/5/type/name", "/fields/6/type/items/name")
    ]
    nested = changed(["fields", 6, "type", "items", "name"], "OrderLine")
    assert ids(nested) == [("CODEGEN_TYPE_RENAMED", "/fields/6/type/items/name")]
    ref = changed(["fields", 0, "type"], "shop.meta.EventMetadata")
    assert ids(ref) == [("CODEGEN_NAMESPACE_CHANGED", "/fields/0/type")]


def test_field_renamed_by_alias_or_position_and_removed() -> None:
    alias = changed(
        ["fields", 4],
        {"name": "memo", "aliases": ["note"], "type": ["null", "string"], "default": None},
    )
    assert ids(alias) == [("CODEGEN_FIELD_RENAMED", "/fields/4")]
    positional = changed(["fields", 3, "name"], "quantity")
    assert ids(positional) == [("CODEGEN_FIELD_RENAMED", "/fields/3")]
    removed = copy.deepcopy(BASE)
    del removed["fields"][4]
    assert ids(removed) == [("CODEGEN_FIELD_REMOVED", "/fields")]


def test_enum_symbol_renamed_and_type_promoted() -> None:
    renamed = changed(["fields", 5, "type", "symbols"], ["A", "B", "X"])
    assert ids(renamed) == [("CODEGEN_ENUM_SYMBOL_RENAMED", "/fields/5/type/symbols")]
    promoted = changed(["fields", 3, "type"], "long")
    assert ids(promoted) == [("CODEGEN_FIELD_TYPE_CHANGED", "/fields/3/type")]


def test_decimal_scale_and_precision() -> None:
    scale = changed(["fields", 1, "type", "scale"], 3)
    assert ids(scale) == [("SEMANTIC_DECIMAL_SCALE_CHANGED", "/fields/1/type/scale")]
    precision = changed(["fields", 1, "type", "precision"], 10)
    assert ids(precision) == [("SEMANTIC_DECIMAL_PRECISION_CHANGED", "/fields/1/type/precision")]


def test_logical_types_added_removed_changed_and_timestamp_unit() -> None:
    micros = changed(["fields", 2, "type", "logicalType"], "timestamp-micros")
    assert ids(micros) == [("SEMANTIC_TIMESTAMP_UNIT_CHANGED", "/fields/2/type/logicalType")]
    assert ids(changed(["fields", 2, "type"], "long")) == [
        ("SEMANTIC_LOGICAL_TYPE_REMOVED", "/fields/2/type")
    ]
    added = changed(["fields", 3, "type"], {"type": "int", "logicalType": "date"})
    assert ids(added) == [("SEMANTIC_LOGICAL_TYPE_ADDED", "/fields/3/type")]
    other = changed(["fields", 2, "type", "logicalType"], "time-micros")
    assert ids(other) == [("SEMANTIC_LOGICAL_TYPE_CHANGED", "/fields/2/type/logicalType")]


def test_defaults_and_enum_defaults() -> None:
    assert ids(changed(["fields", 3, "default"], 1)) == [
        ("SEMANTIC_DEFAULT_CHANGED", "/fields/3/default")
    ]
    no_default = copy.deepcopy(BASE)
    del no_default["fields"][5]["type"]["default"]
    assert ids(no_default) == [("SEMANTIC_ENUM_DEFAULT_REMOVED", "/fields/5/type")]
    assert ids(changed(["fields", 5, "type", "default"], "B")) == [
        ("SEMANTIC_ENUM_DEFAULT_CHANGED", "/fields/5/type/default")
    ]


def test_enum_symbol_removed_only_at_levels_that_read_old_data() -> None:
    new = changed(["fields", 5, "type", "symbols"], ["A", "B"])
    hit = [("SEMANTIC_ENUM_SYMBOL_REMOVED", "/fields/5/type/symbols")]
    assert ids(new, L.BACKWARD) == hit
    assert ids(new, L.FULL_TRANSITIVE) == hit
    assert ids(new, L.FORWARD) == []
    assert ids(new, L.FORWARD_TRANSITIVE) == []


def test_optional_wrapping_follows_the_branch() -> None:
    new = changed(
        ["fields", 1, "type"],
        ["null", {"type": "bytes", "logicalType": "decimal", "precision": 14, "scale": 4}],
    )
    assert ids(new) == [("SEMANTIC_DECIMAL_SCALE_CHANGED", "/fields/1/type/1/scale")]
