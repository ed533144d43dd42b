"""avrokit's schema limits: checked iteratively before any recursive step, in every position."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from avrokit import InvalidSchema, LimitExceeded, SchemaLimits, parse_schema
from avrokit.limits import check_document, lone_surrogate
from registry.errors import ErrorCode, RegistryError
from registry.service import Registry, SchemaInput
from registry.storage import Storage

SMALL = SchemaLimits(max_depth=10, max_fields=3, max_union_branches=2)


def arrays(depth: int) -> Any:
    """Arrays of arrays: a document `depth` objects deep."""
    schema: Any = "int"
    for _ in range(depth):
        schema = {"type": "array", "items": schema}
    return schema


def record(name: str, *types: Any) -> dict[str, Any]:
    return {
        "type": "record",
        "name": name,
        "fields": [{"name": f"f{i}", "type": t} for i, t in enumerate(types)],
    }


@pytest.mark.parametrize(
    ("document", "limit"),
    [
        (record("R", "int", "int", "int", "int"), "fields"),
        (record("R", ["null", "int", "string"]), "union_branches"),
        (["null", "int", "string"], "union_branches"),
        (record("R", {"type": "array", "items": ["null", "int", "long"]}), "union_branches"),
        (record("R", {"type": "map", "values": ["null", "int", "long"]}), "union_branches"),
        (record("R", {"type": ["null", "int", "long"]}), "union_branches"),
        (arrays(11), "depth"),
        (record("R", {"type": "int", "x-custom": [[[[[[[[[[1]]]]]]]]]]}), "depth"),
    ],
)
def test_each_limit_in_each_position(document: Any, limit: str) -> None:
    with pytest.raises(LimitExceeded) as caught:
        check_document(document, SMALL)
    assert caught.value.limit == limit


def test_lists_that_are_not_unions_are_not_counted_as_branches() -> None:
    enum = {"type": "enum", "name": "E", "symbols": ["A", "B", "C", "D"]}
    check_document(record("R", enum, "int", "int"), SMALL)
    check_document({"type": "record", "name": "R", "aliases": ["a", "b", "c"], "fields": []}, SMALL)
    check_document(record("R", {"type": "array", "items": "int", "default": [1, 2, 3]}), SMALL)
    check_document(arrays(10), SMALL)  # at the limit


@pytest.mark.parametrize(
    "document",
    [
        {"type": "string", "doc": "\ud800"},
        {"type": "string", "\udfff": "x"},
        record("R", {"type": "double", "default": float("nan")}),
        record("R", {"type": "double", "default": float("-inf")}),
    ],
)
def test_text_and_numbers_json_cannot_carry_back(document: Any) -> None:
    with pytest.raises(InvalidSchema):
        check_document(document)


def test_surrogate_pairs_and_other_unicode_are_fine() -> None:
    check_document({"type": "string", "doc": "\U0001f600 é ü 中"})
    assert not lone_surrogate({"k": ["\U0001f600", ("é",)]})
    assert lone_surrogate({"k": ["ok", ("\udc00",)]}) and lone_surrogate({"\ud800": 1})


def test_check_is_iterative() -> None:
    with pytest.raises(LimitExceeded):
        check_document(arrays(50_000))  # no RecursionError
    check_document(record("W", *(["int"] * 10_000)))  # at the limit


@pytest.mark.parametrize("text", ['{"type": "double", "default": NaN}', '"int" ' + "x", "1" * 5000])
def test_parse_refuses_what_json_cannot_hold(text: str) -> None:
    with pytest.raises(InvalidSchema):
        parse_schema(text)


def test_parse_error_deep_inside_does_not_quote_every_level() -> None:
    """avro's parser quotes the object of every level it passes through an error: depth times
    size. Those objects are shown as {...}."""
    schema: dict[str, Any] = record("Leaf", "NoSuchType")
    for i in range(30):
        schema = dict(record(f"R{i}", schema), doc="d" * 10_000)
    with pytest.raises(InvalidSchema) as caught:
        parse_schema(json.dumps(schema))
    assert "NoSuchType" in caught.value.reason and len(caught.value.reason) < 5_000


def test_parse_too_deep_names_the_limit() -> None:
    text = '{"type": "array", "items": ' * 5000 + '"int"' + "}" * 5000
    with pytest.raises(LimitExceeded, match="128"):
        parse_schema(text)


def test_a_too_deep_schema_stored_before_the_limits_gives_a_4xx(tmp_path: Path) -> None:
    """Older data dirs may hold a schema nested deeper than the stack allows (164 records once
    registered): registrations checked against it answer 42291, never 500."""
    head = '{"type": "record", "name": "R%d", "fields": [{"name": "f", "type": '
    deep = "".join(head % i for i in range(400)) + '"int"' + "}]}" * 400
    registry = Registry(Storage(tmp_path / "data"))
    with registry.core.store.writer() as tx:
        schema_id = tx.insert_schema("fp", "AVRO", deep, [], "guid")
        tx.insert_version("s", 1, schema_id)
    with pytest.raises(RegistryError) as caught:
        registry.registration.register("s", SchemaInput('{"type": "string"}'))
    assert caught.value.code == ErrorCode.SCHEMA_NESTING_TOO_DEEP
    assert f"Schema {schema_id}, registered earlier" in caught.value.message
