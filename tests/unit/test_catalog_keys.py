"""The catalog's `key`: which value field's text is the message key, checked when it is loaded."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from avrokit.catalog import CatalogError, load_catalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    return tmp_path / "contracts"


def set_key(contracts: Path, topic: str, key: object) -> None:
    path = contracts / "catalog.yaml"
    raw = yaml.safe_load(path.read_text())
    if key is None:
        raw["topics"][topic].pop("key")
    else:
        raw["topics"][topic]["key"] = key
    path.write_text(yaml.safe_dump(raw, sort_keys=False))


def test_every_topic_of_the_saga_is_keyed_by_the_order_id() -> None:
    """One order's events share a partition only if every topic keys them the same way."""
    assert {t.key for t in load_catalog().topics.values()} == {"order_id"}


@pytest.mark.parametrize(
    ("topic", "key", "message"),
    [
        ("order_paid", "order", r"key 'order' is not a field of shop.events.OrderPaid"),
        (
            "order_paid",
            ["order_id"],
            r"topics\.order_paid\.key: expected a valid string, got a list",
        ),
        ("order_paid", "amount", r"key field 'amount' .* is bytes/decimal; a key must be"),
        ("order_paid", "metadata", r"key field 'metadata' .* is \"shop.common.EventMetadata\""),
        ("order_delivered", "delivered_at", r"is long/timestamp-millis"),
        ("order_created", "note", r"key field 'note' .* is \[\"null\", \"string\"\]"),
        ("order_cancelled", "reason", r"key field 'reason'"),
    ],
)
def test_a_key_that_is_not_a_plain_field_is_refused_naming_file_and_topic(
    contracts: Path, topic: str, key: object, message: str
) -> None:
    set_key(contracts, topic, key)
    with pytest.raises(CatalogError, match=message) as caught:
        load_catalog(contracts)
    text = str(caught.value)
    # one line: the file, the line and column, the key path of the topic's key
    assert re.match(
        rf"{re.escape(str(contracts / 'catalog.yaml'))}:\d+:\d+: topics\.{topic}\.key: ", text
    )
    assert "\n" not in text


def test_topics_of_one_contract_must_agree_on_the_key(contracts: Path) -> None:
    set_key(contracts, "low_priority_notifications", "customer_id")
    with pytest.raises(CatalogError, match="key 'customer_id' differs from topic"):
        load_catalog(contracts)
    set_key(contracts, "low_priority_notifications", None)
    with pytest.raises(CatalogError, match="key None differs from topic"):
        load_catalog(contracts)


def test_a_topic_without_a_key_is_unkeyed(contracts: Path) -> None:
    """Older catalogs (before `key`) still load: the gate reads them from git history."""
    set_key(contracts, "order_paid", None)
    assert load_catalog(contracts).topics["order_paid"].key is None


def test_any_string_int_or_long_field_can_be_the_key(contracts: Path) -> None:
    set_key(contracts, "order_paid", "payment_id")
    assert load_catalog(contracts).topics["order_paid"].key == "payment_id"
