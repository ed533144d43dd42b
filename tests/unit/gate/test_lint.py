from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from gate.context import Repo
from gate.declarations import compare
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


def test_the_catalog_is_checked_against_what_the_services_declare(tmp_path: Path) -> None:
    """The drift issue 10 found: inventory, shipping and delivery subscribe to order_created,
    which the catalog did not say. Run on a copy of the contracts with the services linked in."""
    root = Path(__file__).resolve().parents[3]
    shutil.copytree(root / "contracts", tmp_path / "contracts")
    (tmp_path / "services").symlink_to(root / "services")
    catalog = tmp_path / "contracts/catalog.yaml"
    text = catalog.read_text()
    old = "consumers: [payment, inventory, shipping, delivery, notification, order]"
    catalog.write_text(text.replace(old, "consumers: [payment, notification, order, billing]"))
    findings, _ = run(Repo(tmp_path))
    assert [(f.rule, f.field, f.message) for f in findings] == [
        (
            "LINT_CATALOG_MATCHES_SERVICES",
            "topics.order_created.consumers",
            f"topic 'order_created': service '{service}' subscribes to it (group "
            f"{service}-orders) but the catalog does not list it as a consumer",
        )
        for service in ("delivery", "inventory", "shipping")
    ] + [
        (
            "LINT_CATALOG_MATCHES_SERVICES",
            "topics.order_created.consumers",
            "topic 'order_created': the catalog lists service 'billing' as a consumer, but it "
            "subscribes to no such topic",
        )
    ]


def test_owner_and_unknown_topics_are_compared_too() -> None:
    services = {
        "payment": {"subscribes": [{"topic": "refunds", "group": "p"}], "publishes": ["paid"]},
        "order": {"subscribes": [], "publishes": []},
    }
    found = compare({"paid": ("order", [])}, services)
    assert [(m.keys, m.message) for m in found] == [
        (
            ("topics", "paid", "owner"),
            "topic 'paid': the catalog's owner is 'order', but payment publishes it",
        ),
        (
            ("topics",),
            "topic 'refunds': service 'payment' uses it, but the catalog does not name it",
        ),
    ]
