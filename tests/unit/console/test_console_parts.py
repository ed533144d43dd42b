"""The console's pure parts: schema layout and diff, reasons placed at fields, lag, throughput,
the mutation policy from settings, and DLQ entries with unreadable headers."""

from __future__ import annotations

import json

import pytest

from console.lag import lag_rows, parse_assignment, total
from console.schema_diff import annotate, avro_lines, field_changes, layout, side_by_side
from console.security import MutationPolicy
from console.settings import ConsoleSettings, SettingsError
from console.throughput import Throughput
from stack import dlq_tool
from stack.offsets import PartitionEnd

RECORD = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [
        {"name": "id", "type": "string"},
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


def with_fields(*extra: dict, lines: list[dict] | None = None) -> str:
    schema = json.loads(json.dumps(RECORD))
    schema["fields"] += list(extra)
    if lines is not None:
        schema["fields"][1]["type"]["items"]["fields"] = lines
    return json.dumps(schema)


def test_layout_puts_each_field_on_a_line_and_nested_records_below() -> None:
    lines = avro_lines(RECORD)
    assert '    {"name": "id", "type": "string"},' in lines
    assert '            {"name": "sku", "type": "string"}' in lines
    assert json.loads("\n".join(lines)) == RECORD  # still the same JSON
    assert layout("not json") == ["not json"]


def test_an_appended_field_is_one_added_line() -> None:
    old = layout(json.dumps(RECORD))
    new = layout(with_fields({"name": "note", "type": ["null", "string"], "default": None}))
    rows = side_by_side(old, new)
    assert [r.kind for r in rows].count("add") == 1
    assert not [r for r in rows if r.kind in ("del", "change")]  # the comma alone is no change
    assert "note" in next(r.right for r in rows if r.kind == "add")


def test_field_changes_name_added_removed_and_changed_fields_at_any_depth() -> None:
    new = with_fields(
        {"name": "gift", "type": "boolean", "default": False},
        lines=[{"name": "sku", "type": "bytes"}, {"name": "qty", "type": "int", "default": 1}],
    )
    changes = {(c.kind, c.path) for c in field_changes(json.dumps(RECORD), new)}
    assert changes == {
        ("added", "gift"),
        ("changed", "lines[].sku"),
        ("added", "lines[].qty"),
    }
    removed = field_changes(new, json.dumps(RECORD))
    assert ("removed", "gift") in {(c.kind, c.path) for c in removed}
    assert field_changes("{", "[") == []


def test_reasons_are_placed_at_the_field_their_pointer_or_name_points_to() -> None:
    candidate = with_fields({"name": "gift", "type": "boolean"})
    fields, unplaced = annotate(
        candidate,
        [
            "READER_FIELD_MISSING_DEFAULT_VALUE at '/fields/2': field 'gift' has no default",
            "TYPE_MISMATCH at '/fields/1/type/items/fields/0/type': changed",
            "{errorType:'X', description:'The field 'id' changed'}",  # Confluent's wording
            "the schema as a whole",
        ],
    )
    notes = {f.path: f.notes for f in fields}
    assert "has no default" in notes["gift"][0]
    assert "TYPE_MISMATCH" in notes["lines[].sku"][0]
    assert "The field 'id'" in notes["id"][0]
    assert unplaced == ["the schema as a whole"]


@pytest.mark.parametrize("text", ["[" * 5000, "{" * 100_000, '"just a string"', "null", ""])
def test_hostile_schemas_do_not_break_layout_or_annotation(text: str) -> None:
    layout(text)
    fields, unplaced = annotate(text, ["x"])
    assert unplaced == ["x"]
    field_changes(text, text)


def test_deeply_nested_records_are_laid_out_compact_past_the_limit() -> None:
    node: dict = {"type": "record", "name": "R0", "fields": []}
    root = node
    for i in range(1, 200):
        child = {"type": "record", "name": f"R{i}", "fields": []}
        node["fields"] = [{"name": "f", "type": child}]
        node = child
    text = json.dumps(root)
    assert json.loads("\n".join(layout(text))) == root
    assert len(annotate(text, [])[0]) < 200  # walked only to the depth limit


def test_lag_is_end_minus_committed_and_unknown_where_nothing_was_committed() -> None:
    ends = {
        ("t", 0): PartitionEnd(0, 10, True),
        ("t", 1): PartitionEnd(0, 5, False),  # end is a lower bound
        ("t", 2): PartitionEnd(3, 3, True),  # empty, never committed
        ("t", 3): PartitionEnd(0, 4, True),  # records, never committed
        ("u", 0): PartitionEnd(0, 9, True),  # another group's topic
    }
    rows = lag_rows({"t"}, ends, {("t", 0): 7, ("t", 1): 5}, {("t", 0): "payment pid 1"})
    assert [(r.partition, r.lag) for r in rows] == [(0, 3), (1, 0), (2, 0), (3, None)]
    assert rows[0].assigned_to == "payment pid 1"
    assert total(rows) == (3, False, 1)
    assert parse_assignment(["a_b[0]", "x[12]", "bad", "y[z]"]) == [("a_b", 0), ("x", 12)]


def test_throughput_needs_two_samples_and_reports_per_topic_rates() -> None:
    rates = Throughput(window_s=60)
    rates.record({("t", 0): PartitionEnd(0, 100, True)}, now=10.0)
    assert rates.rates() == []
    rates.record({("t", 0): PartitionEnd(0, 150, True), ("new", 0): PartitionEnd(0, 5, True)}, 15.0)
    (only,) = rates.rates()
    assert (only.topic, only.per_s, only.over_s, only.exact) == ("t", 10.0, 5.0, True)
    rates.record({("t", 0): PartitionEnd(0, 150, True)}, now=100.0)  # the old ones age out
    assert rates.rates() == []


@pytest.mark.parametrize(
    ("settings", "allowed", "why"),
    [
        ({}, True, "loopback"),
        ({"console_url": "http://localhost:8080"}, True, "loopback"),
        ({"console_url": "http://[::1]:8080"}, True, "loopback"),
        ({"console_url": "http://0.0.0.0:8080"}, False, "CONSOLE_BASIC_AUTH"),
        ({"console_url": "http://0.0.0.0:8080", "console_basic_auth": "a:b"}, True, "basic-auth"),
        ({"console_url": "http://0.0.0.0:8080", "console_read_only": False}, True, "anyone"),
        ({"console_read_only": True}, False, "CONSOLE_READ_ONLY=true"),
        ({"console_read_only": True, "console_basic_auth": "a:b"}, False, "CONSOLE_READ_ONLY"),
    ],
)
def test_who_may_act_follows_where_the_console_listens(
    settings: dict, allowed: bool, why: str
) -> None:
    policy = MutationPolicy.from_settings(ConsoleSettings(**settings))
    assert policy.allowed is allowed and why in policy.why


@pytest.mark.parametrize(
    "settings",
    [
        {"console_url": "ftp://x:1"},
        {"console_url": "http://:8080"},
        {"console_url": "http://h:99999"},
        {"console_basic_auth": "no-colon"},
        {"console_basic_auth": ":password"},
    ],
)
def test_unusable_settings_are_refused_naming_the_variable(settings: dict) -> None:
    with pytest.raises(SettingsError, match="CONSOLE_"):
        MutationPolicy.from_settings(ConsoleSettings(**settings))


def _entry(**headers: str) -> dlq_tool.Entry:
    pairs = [(f"dlq.{k.replace('_', '.')}", v.encode()) for k, v in headers.items()]
    return dlq_tool.Entry(1, 0, 0, 0, b"k", b"v", pairs)


@pytest.mark.parametrize("count", ["abc", "-1", "²", "99999999999", "1e3"])
def test_an_unreadable_redrive_count_is_over_any_limit(count: str) -> None:
    entry = _entry(redrive_count=count, original_topic="t", original_partition="0")
    assert entry.redrive_count == dlq_tool.UNREADABLE_COUNT
    sent, refused = dlq_tool.redrive("127.0.0.1:1", [entry], max_redrives=10**6)
    assert sent == [] and "unreadable" in refused[0].reason


def test_an_entry_without_its_origin_is_refused_not_sent_anywhere() -> None:
    entry = _entry(redrive_count="0", original_topic="t", original_partition="?")
    sent, refused = dlq_tool.redrive("127.0.0.1:1", [entry])
    assert sent == [] and "no original partition" in refused[0].reason
