"""Codegen on contracts that use every Avro type it supports: annotations, validation, defaults
equal to what an Avro reader fills in, docs, cycles; and what it refuses, with one line naming
the file."""

from __future__ import annotations

import datetime
import decimal
import importlib.util
import io
import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import fastavro
import pydantic
import pytest
import yaml

from avrokit.catalog import load_catalog
from codegen.generate import render, ruff_format
from codegen.named import CodegenError

ROOT = Path(__file__).resolve().parents[2]
METADATA = json.loads((ROOT / "contracts/shop/common/event_metadata.avsc").read_text())
ENVELOPE = {"name": "metadata", "type": "shop.common.EventMetadata", "doc": "Event envelope."}

KITCHEN_SINK = {
    "type": "record",
    "name": "Everything",
    "namespace": "test.events",
    "doc": 'A record with "every" type codegen supports \\ and a doc needing escapes.',
    "fields": [
        ENVELOPE,
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}, "doc": "Key."},
        {"name": "flag", "type": "boolean", "default": True, "doc": "A boolean."},
        {"name": "small", "type": "int", "default": -3, "doc": "An int."},
        {"name": "big", "type": "long", "default": 2**40, "doc": "A long."},
        {"name": "ratio", "type": "float", "default": 1, "doc": "A float."},
        {"name": "precise", "type": "double", "default": 0.25, "doc": "A double."},
        {"name": "raw", "type": "bytes", "default": "\u00ff\u0000a", "doc": "Bytes."},
        {"name": "text", "type": "string", "default": "hi", "doc": "A string."},
        {
            "name": "hash",
            "type": {"type": "fixed", "name": "Hash", "size": 4},
            "default": "abcd",
            "doc": "A fixed.",
        },
        {
            "name": "price",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2},
            "default": "\u0004\u00d2",
            "doc": "1234 unscaled: 12.34.",
        },
        {
            "name": "cost",
            "type": {
                "type": "fixed",
                "name": "Money",
                "size": 8,
                "logicalType": "decimal",
                "precision": 10,
                "scale": 3,
            },
            "doc": "A fixed decimal.",
        },
        {
            "name": "at",
            "type": {"type": "long", "logicalType": "timestamp-millis"},
            "default": 1500,
            "doc": "An instant.",
        },
        {
            "name": "day",
            "type": {"type": "int", "logicalType": "date"},
            "default": 1,
            "doc": "A date.",
        },
        {
            "name": "clock",
            "type": {"type": "int", "logicalType": "time-millis"},
            "default": 61001,
            "doc": "A time of day.",
        },
        {
            "name": "odd",
            "type": {"type": "string", "logicalType": "not-an-avro-type"},
            "doc": "Unknown logical types are ignored, as Avro says.",
        },
        {
            "name": "colour",
            "type": {
                "type": "enum",
                "name": "Colour",
                "doc": "A colour.",
                "symbols": ["RED", "GREEN", "name"],
                "default": "RED",
            },
            "default": "GREEN",
            "doc": "An enum.",
        },
        {"name": "tags", "type": {"type": "array", "items": "string"}, "default": ["a"]},
        {
            "name": "counts",
            "type": {"type": "map", "values": "long"},
            "default": {"x": 1},
            "doc": "A map.",
        },
        {"name": "maybe", "type": ["null", "Colour"], "default": None, "doc": "Optional enum."},
        {"name": "either", "type": ["string", "int"], "default": "s", "doc": "A union."},
        {"name": "later", "type": ["int", "null"], "default": 5, "doc": "Null last."},
        {
            "name": "node",
            "type": {
                "type": "record",
                "name": "Node",
                "doc": "A recursive record.",
                "fields": [
                    {"name": "label", "type": "string", "doc": "Label."},
                    {"name": "next", "type": ["null", "Node"], "default": None, "doc": "Next."},
                ],
            },
            "default": {"label": "root"},
            "doc": "A record default.",
        },
    ],
}


def write_contracts(root: Path, events: dict[str, dict[str, Any]]) -> Path:
    """A contracts dir with the shared metadata type and one topic per event schema."""
    contracts = root / "contracts"
    (contracts / "common").mkdir(parents=True)
    (contracts / "common/event_metadata.avsc").write_text(json.dumps(METADATA))
    topics = {}
    for topic, schema in events.items():
        (contracts / f"{topic}.avsc").write_text(json.dumps(schema, indent=2))
        topics[topic] = {
            "value": f"{topic}.avsc",
            "partitions": 1,
            "owner": "test",
            "consumers": [],
            "compatibility": "FULL_TRANSITIVE",
        }
    catalog = {
        "shared_types": [
            {
                "name": "shop.common.EventMetadata",
                "file": "common/event_metadata.avsc",
                "subject": "shop.common.EventMetadata",
                "compatibility": "FULL_TRANSITIVE",
            }
        ],
        "topics": topics,
    }
    (contracts / "catalog.yaml").write_text(yaml.safe_dump(catalog, sort_keys=False))
    return contracts


def generate(tmp_path: Path, events: dict[str, dict[str, Any]]) -> ModuleType:
    contracts = write_contracts(tmp_path, events)
    output = tmp_path / "generated_sink.py"
    output.write_text(ruff_format(render(load_catalog(contracts)), output))
    spec = importlib.util.spec_from_file_location(f"sink_{tmp_path.name}", output)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sink(tmp_path: Path) -> ModuleType:
    return generate(tmp_path, {"everything": KITCHEN_SINK})


def metadata(module: ModuleType) -> Any:
    return module.EventMetadata(
        event_id=uuid.uuid4(),
        correlation_id=uuid.uuid4(),
        occurred_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        producer="test",
    )


def required(module: ModuleType) -> dict[str, Any]:
    return {
        "metadata": metadata(module),
        "id": uuid.uuid4(),
        "cost": decimal.Decimal("1.500"),
        "odd": "x",
    }


def test_annotations_follow_the_avro_types(sink: ModuleType) -> None:
    fields = sink.Everything.model_fields
    assert fields["id"].annotation is uuid.UUID
    assert fields["day"].annotation is datetime.date
    assert fields["clock"].annotation is datetime.time
    assert fields["odd"].annotation is str
    assert fields["tags"].annotation == list[str]
    assert fields["maybe"].annotation == sink.Colour | None
    assert issubclass(sink.Colour, str) and [c.value for c in sink.Colour] == [
        "RED",
        "GREEN",
        "name",
    ]
    assert sink.Everything.__doc__ == KITCHEN_SINK["doc"]
    assert fields["counts"].description == "A map." and fields["tags"].description is None


def test_defaults_are_what_an_avro_reader_fills_in(sink: ModuleType) -> None:
    """Written without the defaulted fields, read with the full schema: fastavro fills the
    defaults in; the class built without them must be equal.  (fastavro fills logical types'
    defaults in unconverted, and bytes defaults as UTF-8 where Avro says one byte per code
    point, so those are checked by value below.)"""
    built = sink.Everything(**required(sink))
    schema = json.loads(sink.Everything.AVRO_SCHEMA)
    named: dict[str, Any] = {}
    fastavro.parse_schema(METADATA, named_schemas=named)
    reader = fastavro.parse_schema(schema, named_schemas=dict(named))
    by_value = {"price", "at", "day", "clock", "raw"}
    kept = [f for f in schema["fields"] if "default" not in f or f["name"] in by_value]
    writer = fastavro.parse_schema({**schema, "fields": kept}, named_schemas=dict(named))
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, writer, built.model_dump())
    buf.seek(0)
    record = fastavro.schemaless_reader(buf, writer, reader)
    assert sink.Everything.model_validate(record) == built
    assert built.raw == b"\xff\x00a" and built.hash == b"abcd" and built.ratio == 1.0
    assert built.price == decimal.Decimal("12.34")
    assert built.at == datetime.datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=datetime.UTC)
    assert built.day == datetime.date(1970, 1, 2) and built.clock == datetime.time(0, 1, 1, 1000)
    assert built.colour is sink.Colour.GREEN and built.node == sink.Node(label="root")
    assert built.either == "s" and built.later == 5 and built.maybe is None


def test_mutable_defaults_are_not_shared(sink: ModuleType) -> None:
    one, two = sink.Everything(**required(sink)), sink.Everything(**required(sink))
    one.tags.append("b")
    one.counts["y"] = 2
    assert two.tags == ["a"] and two.counts == {"x": 1}


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("small", 2**31, "less than or equal"),
        ("big", -(2**63) - 1, "greater than or equal"),
        ("hash", b"abc", "at least 4"),
        ("price", "1.234", "decimal places"),
        ("price", "12345.6", "digits"),
        ("at", datetime.datetime(2026, 1, 1), "timezone"),
        ("colour", "BLUE", "RED"),
    ],
)
def test_values_avro_would_refuse_are_refused_when_built(
    sink: ModuleType, field: str, value: Any, error: str
) -> None:
    with pytest.raises(pydantic.ValidationError, match=error):
        sink.Everything(**required(sink), **{field: value})


def test_recursive_records_resolve(sink: ModuleType) -> None:
    node = sink.Node(label="a", next={"label": "b", "next": {"label": "c"}})
    assert node.next.next.label == "c" and node.next.next.next is None


def test_timestamps_are_cut_to_milliseconds(sink: ModuleType) -> None:
    at = datetime.datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=datetime.UTC)
    assert sink.Everything(**required(sink), at=at).at.microsecond == 123000


def _event(*fields: dict[str, Any], name: str = "Thing") -> dict[str, Any]:
    return {
        "type": "record",
        "name": name,
        "namespace": "test.events",
        "fields": [ENVELOPE, *fields],
    }


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            _event({"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}}),
            "logicalType 'timestamp-micros' on 'long' is not supported by codegen",
        ),
        (
            _event(
                {
                    "name": "d",
                    "type": {"type": "fixed", "name": "D", "size": 12, "logicalType": "duration"},
                }
            ),
            "logicalType 'duration' on 'fixed' is not supported",
        ),
        (
            _event({"name": "u", "type": {"type": "bytes", "logicalType": "uuid"}}),
            "logicalType 'uuid' on 'bytes' is not supported",
        ),
        (_event({"name": "class", "type": "string"}), "field 'class' cannot be an attribute"),
        (_event({"name": "schema", "type": "string"}), "field 'schema' cannot be an attribute"),
        (_event({"name": "TOPICS", "type": "string"}), "field 'TOPICS' cannot be an attribute"),
        (
            _event({"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["None", "A"]}}),
            r"enum symbols \['None'\] cannot be Python enum members",
        ),
        (
            _event({"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["_A_", "mro"]}}),
            r"enum symbols \['_A_', 'mro'\]",
        ),
        (_event(name="Event"), "'Event' cannot be a generated class name"),
        (
            _event({"name": "n", "type": {"type": "int"}, "default": "abc"}),
            "Invalid default for field 'n'",
        ),
    ],
)
def test_what_codegen_cannot_render_is_refused_naming_the_file(
    tmp_path: Path, schema: dict[str, Any], message: str
) -> None:
    contracts = write_contracts(tmp_path, {"thing": schema})
    with pytest.raises(CodegenError, match=message) as caught:
        render(load_catalog(contracts))
    assert str(caught.value).startswith(str(contracts / "thing.avsc"))


def test_two_types_with_one_class_name_are_refused(tmp_path: Path) -> None:
    line = {"type": "record", "name": "Line", "fields": [{"name": "a", "type": "string"}]}
    other = {**line, "namespace": "test.other"}
    contracts = write_contracts(
        tmp_path,
        {
            "one": _event({"name": "l", "type": line}, name="One"),
            "two": _event({"name": "l", "type": other}, name="Two"),
        },
    )
    with pytest.raises(CodegenError, match=r"test.other.Line and test.events.Line .* class Line"):
        render(load_catalog(contracts))


def test_cli_refusal_is_one_line_and_exit_2(tmp_path: Path) -> None:
    schema = _event(
        {"name": "at", "type": {"type": "long", "logicalType": "local-timestamp-millis"}}
    )
    contracts = write_contracts(tmp_path, {"thing": schema})
    output = tmp_path / "out.py"
    argv = [sys.executable, "-m", "codegen", "--contracts", str(contracts), "--output", str(output)]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and not output.exists()
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert re.match(rf"codegen: {re.escape(str(contracts / 'thing.avsc'))}(:\d+)?: ", proc.stderr)
    assert "'local-timestamp-millis'" in proc.stderr


def test_the_real_contracts_render_without_a_third_party_generator(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    probe = (
        "import sys, pathlib; from avrokit.catalog import load_catalog;"
        " from codegen.generate import render;"
        f" render(load_catalog(pathlib.Path({str(tmp_path / 'contracts')!r})));"
        " print(sorted(m for m in sys.modules if 'avroschema' in m))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_events_must_share_one_envelope_type(tmp_path: Path) -> None:
    other = {"type": "record", "name": "OtherMeta", "fields": [{"name": "a", "type": "string"}]}
    odd = {**_event(name="Odd"), "fields": [{"name": "metadata", "type": other}]}
    contracts = write_contracts(tmp_path, {"thing": _event(), "odd": odd})
    with pytest.raises(CodegenError, match=r"odd\.avsc: its 'metadata' is test.events.OtherMeta"):
        render(load_catalog(contracts))


def test_an_unkeyed_topic_gives_no_partition_key(sink: ModuleType) -> None:
    assert sink.Everything.PARTITION_KEY is None
    assert sink.Everything(**required(sink)).partition_key() is None
    assert issubclass(sink.Everything, sink.Event) and not issubclass(sink.Node, sink.Event)


@pytest.mark.parametrize("depth", [900, 5000])
def test_absurdly_deep_contracts_are_one_short_line(tmp_path: Path, depth: int) -> None:
    contracts = write_contracts(tmp_path, {"thing": _event()})
    text = (contracts / "thing.avsc").read_text()
    nested = '"string"'
    for _ in range(depth):
        nested = f'{{"type": "array", "items": {nested}}}'
    field = f'{{"name": "deep", "type": {nested}}}'
    (contracts / "thing.avsc").write_text(text.replace('"fields": [', f'"fields": [{field},', 1))
    output = tmp_path / "out.py"
    argv = [sys.executable, "-m", "codegen", "--contracts", str(contracts), "--output", str(output)]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert re.match(rf"codegen: {re.escape(str(contracts / 'thing.avsc'))}(:\d+)?: ", proc.stderr)
    assert proc.stderr.count("\n") == 1 and len(proc.stderr) < 600
