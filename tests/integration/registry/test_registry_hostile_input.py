"""The registry as an attacker or a careless client would use it: odd unicode, deep nesting,
huge numbers, oversized messages and schemas at and past the limits (registry/limits.py).

Each case answers a clear 4xx naming what was wrong, and leaves every read working."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from registry_helpers import record

from registry import limits

pytestmark = pytest.mark.integration

INT = {"name": "a", "type": "int"}


def error_code(r: httpx.Response) -> int | None:
    return r.json().get("error_code") if r.status_code >= 400 else None


def nested_records(depth: int, leaf_doc: str = "leaf") -> dict[str, Any]:
    """`depth` records, each the type of the only field of the one around it."""
    schema: dict[str, Any] = {"type": "record", "name": "Leaf", "doc": leaf_doc, "fields": [INT]}
    for i in range(depth - 1):
        schema = {"type": "record", "name": f"R{i}", "fields": [{"name": "f", "type": schema}]}
    return schema


def nested_records_text(depth: int) -> str:
    """`nested_records(depth)` as text, built without recursion (any depth)."""
    leaf = json.dumps(nested_records(1))
    head = '{"type": "record", "name": "R%d", "fields": [{"name": "f", "type": '
    return "".join(head % i for i in range(depth - 1)) + leaf + "}]}" * (depth - 1)


def nested_arrays(depth: int) -> dict[str, Any]:
    """A record with one field: arrays nested so the document is exactly `depth` deep."""
    inner: Any = "int"
    for _ in range(depth - 3):  # record {} > fields [] > field {} > arrays...
        inner = {"type": "array", "items": inner}
    return {"type": "record", "name": "Arrays", "fields": [{"name": "a", "type": inner}]}


def json_depth(obj: Any) -> int:
    if isinstance(obj, dict):
        return 1 + max((json_depth(v) for v in obj.values()), default=0)
    if isinstance(obj, list):
        return 1 + max((json_depth(v) for v in obj), default=0)
    return 0


def assert_reads_work(api: httpx.Client, subject: str, schema_id: int) -> None:
    for path in (
        "/schemas",
        f"/schemas/ids/{schema_id}",
        f"/schemas/ids/{schema_id}/schema",
        f"/subjects/{subject}/versions/latest",
        f"/subjects/{subject}/versions/latest/schema",
        "/subjects",
    ):
        r = api.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        r.json()  # valid JSON, not bare NaN


@pytest.mark.parametrize(
    "where",
    [
        '"metadata": {"properties": {"k": "\\ud800"}}',
        '"metadata": {"properties": {"\\udfff": "v"}}',
        '"metadata": {"tags": {"a": ["\\ud800x"]}}',
        '"ruleSet": {"domainRules": [{"name": "r", "kind": "CONDITION", "expr": "\\ud800"}]}',
        '"references": [{"name": "\\ud800", "subject": "s", "version": 1}]',
        '"schemaType": "AVRO\\ud800"',
    ],
)
def test_lone_surrogate_in_the_body_is_422_and_reads_keep_working(
    api: httpx.Client, subject: str, where: str
) -> None:
    schema = record("Sur", INT)
    ok = api.post(f"/subjects/{subject}/versions", json={"schema": schema})
    assert ok.status_code == 200
    body = '{"schema": ' + json.dumps(schema) + ", " + where + "}"
    for path in (f"/subjects/{subject}/versions", f"/subjects/{subject}"):
        r = api.post(path, content=body.encode())
        assert r.status_code == 422, r.text
        assert "surrogate" in r.json()["message"]
    assert_reads_work(api, subject, ok.json()["id"])


@pytest.mark.parametrize(
    "doc",
    ["\\\\ud800", "\\\\udc00 then text", "\\ud800"],  # escaped inside the schema, or raw in it
)
def test_lone_surrogate_in_the_schema_is_42201(api: httpx.Client, subject: str, doc: str) -> None:
    schema = '{"type": "record", "name": "Sur", "doc": "' + doc + '", "fields": []}'
    body = '{"schema": "' + schema.replace('"', '\\"') + '"}'
    r = api.post(f"/subjects/{subject}/versions", content=body.encode())
    assert (r.status_code, error_code(r)) == (422, 42201), r.text
    assert "surrogate" in r.json()["message"]
    pair = json.dumps({"type": "string", "doc": "\U0001f600 ok"})  # a proper pair is fine
    r = api.post(f"/subjects/{subject}/versions", json={"schema": pair})
    assert r.status_code == 200
    assert_reads_work(api, subject, r.json()["id"])


def test_nesting_at_the_limit_works_and_past_it_is_refused(api: httpx.Client, subject: str) -> None:
    records = limits.MAX_SCHEMA_DEPTH // 3  # 3 levels each: record > fields > field > record...
    deepest = nested_records(records)
    assert json_depth(deepest) <= limits.MAX_SCHEMA_DEPTH
    arrays = nested_arrays(limits.MAX_SCHEMA_DEPTH)
    assert json_depth(arrays) == limits.MAX_SCHEMA_DEPTH
    for schema, other in ((deepest, "x"), (arrays, "y")):
        r = api.post(f"/subjects/{subject}-{other}/versions", json={"schema": json.dumps(schema)})
        assert r.status_code == 200, r.text
        assert_reads_work(api, f"{subject}-{other}", r.json()["id"])
        # the subject keeps accepting registrations and checks (history parsed, walked)
        grown = dict(schema, fields=[*schema["fields"], {"name": "z", "type": "int", "default": 1}])
        for path in (
            f"/compatibility/subjects/{subject}-{other}/versions",
            f"/subjects/{subject}-{other}",
        ):
            assert api.post(path, json={"schema": json.dumps(schema)}).status_code == 200
        r = api.post(f"/subjects/{subject}-{other}/versions", json={"schema": json.dumps(grown)})
        assert r.status_code == 200, r.text
    for depth in (records + 1, 164, 5000):
        text = nested_records_text(depth)
        for path in (
            f"/subjects/{subject}/versions",
            f"/compatibility/subjects/{subject}/versions",
        ):
            r = api.post(path, json={"schema": text})
            assert (r.status_code, error_code(r)) == (422, 42291), r.text[:300]
            assert f"{limits.MAX_SCHEMA_DEPTH}" in r.json()["message"]
    too_deep = nested_arrays(limits.MAX_SCHEMA_DEPTH + 1)
    r = api.post(f"/subjects/{subject}/versions", json={"schema": json.dumps(too_deep)})
    assert (r.status_code, error_code(r)) == (422, 42291)


def test_deeply_nested_request_body_is_4xx(api: httpx.Client, subject: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    body = '{"schema": "\\"int\\"", "extra": ' + deep + "}"
    r = api.post(f"/subjects/{subject}/versions", content=body.encode())
    assert 400 <= r.status_code < 500, r.text[:300]
    r = api.post(f"/subjects/{subject}/versions", content=deep.encode())
    assert 400 <= r.status_code < 500


def test_error_message_of_a_deep_big_schema_stays_small(api: httpx.Client, subject: str) -> None:
    """A 300 KB doc inside 200 nested records once made a 39.6 MB answer and 2.7 GB of memory."""
    text = json.dumps(nested_records(200, leaf_doc="d" * 300_000))
    r = api.post(f"/compatibility/subjects/{subject}/versions", json={"schema": text})
    assert (r.status_code, error_code(r)) == (422, 42291)
    assert len(r.content) < 2_000  # (time and memory: bench/registry_hostile.py)
    # an error deep inside a schema at the depth limit, with big docs at every level
    schema: dict[str, Any] = {
        "type": "record",
        "name": "L",
        "fields": [{"name": "u", "type": "Nope"}],
    }
    for i in range(limits.MAX_SCHEMA_DEPTH // 3 - 1):
        schema = {
            "type": "record",
            "name": f"N{i}",
            "doc": "d" * 10_000,
            "fields": [{"name": "f", "type": schema}],
        }
    r = api.post(f"/subjects/{subject}/versions", json={"schema": json.dumps(schema)})
    assert (r.status_code, error_code(r)) == (422, 42201)
    assert "Nope" in r.json()["message"] and len(r.content) < limits.MAX_ERROR_MESSAGE_CHARS + 200


def test_incompatibility_messages_are_capped(api: httpx.Client, subject: str) -> None:
    many = [{"name": f"f{i}_{'x' * 60}", "type": "int"} for i in range(3000)]
    api.put(f"/config/{subject}", json={"compatibility": "FORWARD"})
    assert (
        api.post(f"/subjects/{subject}/versions", json={"schema": record("M", *many)}).status_code
        == 200
    )
    smaller = record("M", many[0])  # 2,999 fields removed without defaults: one finding each
    r = api.post(f"/subjects/{subject}/versions", json={"schema": smaller})
    assert (r.status_code, error_code(r)) == (409, 409)
    message = r.json()["message"]
    assert len(message) <= limits.MAX_ERROR_MESSAGE_CHARS and "more" in message
    r = api.post(
        f"/compatibility/subjects/{subject}/versions",
        json={"schema": smaller},
        params={"verbose": "true"},
    )
    messages = r.json()["messages"]
    assert r.json()["is_compatible"] is False
    assert sum(len(m) for m in messages) <= limits.MAX_ERROR_MESSAGE_CHARS
    assert "more" in messages[-1]


def test_fields_and_union_branches_past_their_limits(api: httpx.Client, subject: str) -> None:
    fields = [{"name": f"f{i}", "type": "int"} for i in range(limits.MAX_FIELDS_PER_RECORD + 1)]
    r = api.post(f"/subjects/{subject}/versions", json={"schema": record("Wide", *fields)})
    assert (r.status_code, error_code(r)) == (422, 42292)
    assert f"{limits.MAX_FIELDS_PER_RECORD:,}" in r.json()["message"]
    branches = [
        {"type": "record", "name": f"B{i}", "fields": []}
        for i in range(limits.MAX_UNION_BRANCHES + 1)
    ]
    r = api.post(
        f"/subjects/{subject}/versions",
        json={
            "schema": json.dumps(
                {"type": "record", "name": "U", "fields": [{"name": "u", "type": branches}]}
            )
        },
    )
    assert (r.status_code, error_code(r)) == (422, 42293)
    assert f"{limits.MAX_UNION_BRANCHES:,}" in r.json()["message"]
    r = api.post(f"/subjects/{subject}/versions", json={"schema": json.dumps(branches[:-1])})
    assert r.status_code == 200, r.text[:300]


@pytest.mark.parametrize(
    "default",
    ["NaN", "Infinity", "-Infinity", "1e400", "1" * 5000, "-" + "9" * 4500 + ".5"],
)
def test_unrepresentable_defaults_are_42201(api: httpx.Client, subject: str, default: str) -> None:
    schema = (
        '{"type": "record", "name": "D", "fields": [{"name": "d", "type": "double", "default": '
        + default
        + "}]}"
    )
    r = api.post(f"/subjects/{subject}/versions", json={"schema": schema})
    assert (r.status_code, error_code(r)) == (422, 42201), r.text[:300]
    r = api.post(f"/compatibility/subjects/{subject}/versions", json={"schema": schema})
    assert (r.status_code, error_code(r)) == (422, 42201)
