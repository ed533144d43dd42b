"""Strict parsing, canonical form and normalization (avrokit.schema)."""

from __future__ import annotations

import json

import pytest

from avrokit import InvalidSchema, normalize_schema_text, parse_schema


def record(*fields: dict, name: str = "R", **extra: object) -> str:
    return json.dumps({"type": "record", "name": name, "fields": list(fields), **extra})


def test_int_field_with_string_default_is_rejected_naming_the_field() -> None:
    with pytest.raises(InvalidSchema) as err:
        parse_schema(record({"name": "qty", "type": "int", "default": "abc"}))
    assert "qty" in err.value.reason and "/fields/0/default" in err.value.reason


@pytest.mark.parametrize(
    ("field_type", "default"),
    [
        ("int", 2**31),
        ("int", True),
        ("long", 1.5),
        ("boolean", 0),
        ("string", 1),
        ("null", 0),
        ({"type": "array", "items": "int"}, ["a"]),
        ({"type": "map", "values": "long"}, {"a": "b"}),
        ({"type": "enum", "name": "E", "symbols": ["A"]}, "B"),
        ({"type": "fixed", "name": "F", "size": 2}, "abc"),
        (["null", "string"], 5),
    ],
)
def test_defaults_must_match_their_type(field_type: object, default: object) -> None:
    with pytest.raises(InvalidSchema, match="'f'"):
        parse_schema(record({"name": "f", "type": field_type, "default": default}))


@pytest.mark.parametrize(
    ("field_type", "default"),
    [
        ("int", 5),
        ("double", 1),
        ("bytes", "\u00ff"),
        (["null", "string"], None),
        (["string", "null"], "x"),
        ({"type": "array", "items": "int"}, [1, 2]),
        ({"type": "record", "name": "In", "fields": [{"name": "a", "type": "int"}]}, {"a": 1}),
    ],
)
def test_valid_defaults_are_accepted(field_type: object, default: object) -> None:
    parsed = parse_schema(record({"name": "f", "type": field_type, "default": default}))
    assert parsed.avro.fields[0].default == default


def test_nested_record_default_checked_with_path() -> None:
    inner = {
        "type": "record",
        "name": "In",
        "fields": [{"name": "a", "type": "int", "default": "x"}],
    }
    with pytest.raises(InvalidSchema) as err:
        parse_schema(record({"name": "outer", "type": inner}))
    assert "'a'" in err.value.reason and "/fields/0/type/fields/0/default" in err.value.reason


def test_duplicate_field_names_rejected() -> None:
    with pytest.raises(InvalidSchema, match="Duplicate field name 'a'"):
        parse_schema(record({"name": "a", "type": "int"}, {"name": "a", "type": "string"}))


@pytest.mark.parametrize("name", ["1abc", "a-b", "", "a b"])
def test_invalid_field_names_rejected(name: str) -> None:
    with pytest.raises(InvalidSchema, match="name"):
        parse_schema(record({"name": name, "type": "int"}))


def test_invalid_record_name_rejected() -> None:
    with pytest.raises(InvalidSchema, match="Invalid name 'my-record'"):
        parse_schema(record({"name": "a", "type": "int"}, name="my-record"))


def test_unknown_type_rejected() -> None:
    with pytest.raises(InvalidSchema, match="Nope"):
        parse_schema(record({"name": "a", "type": "Nope"}))


@pytest.mark.parametrize("text", ["", "not json", "{", "42", '{"type": "record", "name": "X"}'])
def test_malformed_texts_rejected(text: str) -> None:
    with pytest.raises(InvalidSchema):
        parse_schema(text)


def test_canonical_ignores_whitespace_and_key_order_but_keeps_docs_and_defaults() -> None:
    a = parse_schema(
        '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]}'
    )
    b = parse_schema(
        '{ "fields": [ {"default": 1, "type": "int", "name": "a"} ],\n'
        ' "name": "R", "type": "record" }'
    )
    c = parse_schema(
        '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":2}]}'
    )
    d = parse_schema(
        '{"type":"record","name":"R","doc":"x","fields":[{"name":"a","type":"int","default":1}]}'
    )
    assert a.canonical == b.canonical
    assert a.canonical != c.canonical  # the default matters
    assert a.canonical != d.canonical  # the doc matters
    assert a.text == '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]}'


def test_normalize_qualifies_names_and_unwraps_primitives() -> None:
    text = json.dumps(
        {
            "type": "record",
            "name": "R",
            "namespace": "com.x",
            "fields": [
                {"name": "a", "type": {"type": "int"}},
                {"name": "b", "type": {"type": "enum", "name": "E", "symbols": ["A"]}},
                {"name": "c", "type": "E"},
            ],
        }
    )
    out = json.loads(normalize_schema_text(text))
    assert out["name"] == "com.x.R" and "namespace" not in out
    assert out["fields"][0]["type"] == "int"
    assert out["fields"][1]["type"]["name"] == "com.x.E"
    assert out["fields"][2]["type"] == "com.x.E"
    same = json.dumps(
        {
            "name": "com.x.R",
            "type": "record",
            "fields": [
                {"name": "a", "type": "int"},
                {"name": "b", "type": {"name": "com.x.E", "type": "enum", "symbols": ["A"]}},
                {"name": "c", "type": "com.x.E"},
            ],
        }
    )
    assert normalize_schema_text(same) == normalize_schema_text(text)


def test_references_resolve_named_types() -> None:
    ref = json.dumps(
        {
            "type": "record",
            "name": "Meta",
            "namespace": "ev",
            "fields": [{"name": "id", "type": "string"}],
        }
    )
    main = record({"name": "meta", "type": "ev.Meta"})
    with pytest.raises(InvalidSchema):
        parse_schema(main)
    parsed = parse_schema(main, [ref])
    assert parsed.avro.fields[0].type.fullname == "ev.Meta"
    assert parsed.references == (ref,)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ({"type": "int"}, "int"),
        ({"type": "int", "name": "X", "namespace": "n", "doc": "d", "aliases": ["y"]}, "int"),
        ({"type": "string", "size": 3, "symbols": [], "fields": [], "items": 1}, "string"),
        ({"type": "int", "logicalType": "date", "name": "X"},
         {"type": "int", "logicalType": "date"}),
        ({"type": "long", "foo": "bar"}, {"type": "long", "foo": "bar"}),
        (["null", {"type": "string", "doc": "d"}], ["null", "string"]),
        ({"type": "array", "items": {"type": "int"}}, {"type": "array", "items": "int"}),
        ({"type": "map", "values": {"type": "bytes", "name": "B"}},
         {"type": "map", "values": "bytes"}),
    ],
)  # fmt: skip
def test_primitives_are_read_as_avro_reads_them(written: object, read: object) -> None:
    """Avro's Java parser (and so Confluent) ignores reserved attributes on a primitive."""
    assert parse_schema(json.dumps(written)).json == read
    assert parse_schema(json.dumps(written)).canonical == parse_schema(json.dumps(read)).canonical


def test_record_fields_keep_their_own_attributes_when_their_type_is_reduced() -> None:
    text = record({"name": "a", "doc": "kept", "type": {"type": "int", "doc": "dropped"}})
    assert parse_schema(text).json["fields"] == [{"name": "a", "doc": "kept", "type": "int"}]
    assert normalize_schema_text(text) == normalize_schema_text(record(
        {"name": "a", "doc": "kept", "type": "int"}
    ))  # fmt: skip
