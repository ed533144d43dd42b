from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from gate.context import Repo
from gate.lint import run
from gate.rules import lint

META = "shop.common.EventMetadata"
GOOD: dict[str, Any] = {
    "type": "record",
    "name": "OrderPaid",
    "namespace": "shop.events",
    "doc": "Paid.",
    "fields": [
        {"name": "metadata", "type": META, "doc": "Envelope."},
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 14, "scale": 2},
            "doc": "Amount.",
        },
        {"name": "note", "type": ["null", "string"], "default": None, "doc": "Note."},
        {
            "name": "reason",
            "type": {
                "type": "enum",
                "name": "Reason",
                "doc": "Why.",
                "symbols": ["A", "B"],
                "default": "A",
            },
            "doc": "Reason.",
        },
    ],
}
FILE = PurePosixPath("shop/events/order_paid.avsc")


def ids(schema: dict[str, Any], file: PurePosixPath = FILE) -> list[tuple[str, str]]:
    return [(c.rule.id, c.path) for c in lint.check(schema, file, META)]


def with_field(index: int, field: dict[str, Any]) -> dict[str, Any]:
    fields = list(GOOD["fields"])
    fields[index] = field
    return {**GOOD, "fields": fields}


def test_good_contract_is_clean() -> None:
    assert ids(GOOD) == []


def test_each_rule_fires_on_its_bad_example() -> None:
    assert ids({**GOOD, "doc": ""}) == [("LINT_TYPE_DOC", "/name")]
    assert ids(with_field(2, {"name": "note", "type": ["null", "string"], "default": None})) == [
        ("LINT_FIELD_DOC", "/fields/2")
    ]
    assert ids(GOOD, PurePosixPath("shop/orders/order_paid.avsc")) == [
        ("LINT_NAMESPACE_FOLDER", "/namespace")
    ]
    assert ids(
        with_field(2, {"name": "note", "type": ["string", "null"], "default": "", "doc": "n"})
    ) == [("LINT_OPTIONAL_SHAPE", "/fields/2/type")]
    enum = {"type": "enum", "name": "Reason", "doc": "d", "symbols": ["A"]}
    assert ids(with_field(3, {"name": "reason", "type": enum, "doc": "r"})) == [
        ("LINT_ENUM_DEFAULT", "/fields/3/type/name")
    ]
    assert ids(with_field(1, {"name": "total_amount", "type": "double", "doc": "t"})) == [
        ("LINT_MONEY_NOT_FLOAT", "/fields/1/type")
    ]
    assert ids(with_field(2, {"name": "orderNote", "type": "string", "doc": "n"})) == [
        ("LINT_FIELD_SNAKE_CASE", "/fields/2")
    ]
    assert ids({**GOOD, "name": "order_paid"}) == [("LINT_TYPE_PASCAL_CASE", "/name")]
    assert ids({**GOOD, "fields": GOOD["fields"][1:]}) == [("LINT_EVENT_METADATA", "/fields")]


def test_the_repository_contracts_are_lint_clean() -> None:
    findings, checked = run(Repo(Path(__file__).resolve().parents[3]))
    assert checked == 11
    assert [f"{f.file}:{f.line}: {f.rule}" for f in findings] == []
