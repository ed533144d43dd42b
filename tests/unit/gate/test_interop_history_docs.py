from __future__ import annotations

import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import fastavro
import pytest

from avrokit.names import named_types
from gate import docs, interop
from gate.context import Repo
from gate.docs import SCHEMA_FORMAT, asyncapi, catalog_md
from gate.history import git_versions

ROOT = Path(__file__).resolve().parents[3]


def test_sample_values_are_valid_avro_for_every_contract() -> None:
    repo = Repo(ROOT)
    for contract in repo.catalog.contracts.values():
        named: dict = {}  # type: ignore[type-arg]
        schemas: dict = {}  # type: ignore[type-arg]
        for ref in repo.reference_texts(contract):
            schemas.update(named_types(json.loads(ref)))
            fastavro.parse_schema(json.loads(ref), named_schemas=named)
        schemas.update(named_types(contract.schema))
        parsed = fastavro.parse_schema(contract.schema, named_schemas=named)
        for variant in (0, 1):
            value = interop.sample(contract.schema, schemas, "", variant)
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, parsed, value)
            buf.seek(0)
            back = fastavro.schemaless_reader(buf, parsed)
            assert set(back) == {f["name"] for f in contract.schema["fields"]}


def test_generated_classes_round_trip_with_themselves() -> None:
    module = interop.generate(ROOT, ROOT / "contracts", "unit-test-worktree")
    for name in module.EVENT_TYPES:
        for variant in (0, 1):
            event = interop.roundtrip(module, module, name, variant)
            assert type(event).__name__ == name.rpartition(".")[2]


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_git_versions_are_distinct_oldest_first_follow_renames_and_read_refs_at_the_commit(
    tmp_path: Path,
) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "ref.avsc").write_text('"r1"')
    (tmp_path / "a.avsc").write_text('{"v": 1}')
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "one")
    (tmp_path / "ref.avsc").write_text('"r2"')
    _git(tmp_path, "commit", "-qam", "ref only")
    (tmp_path / "a.avsc").write_text('{"v": 2}')
    _git(tmp_path, "commit", "-qam", "two")
    _git(tmp_path, "mv", "a.avsc", "b.avsc")
    _git(tmp_path, "commit", "-qm", "rename")
    versions = git_versions(tmp_path, "b.avsc", {"R": "ref.avsc"})
    assert [v.text for v in versions] == ['{"v": 1}', '{"v": 2}']
    assert [v.references for v in versions] == [('"r1"',), ('"r2"',)]
    assert all(v.label.startswith("git ") and v.revision for v in versions)


def test_asyncapi_channels_are_topics_with_avro_messages_and_registry_subjects() -> None:
    repo = Repo(ROOT)
    doc = asyncapi(repo)
    assert doc["asyncapi"] == "3.0.0"
    assert set(doc["channels"]) == set(repo.catalog.topics)
    channel = doc["channels"]["order_created"]
    registry = channel["bindings"]["kafka"]["x-schema-registry"]
    assert registry["subject"] == "order_created-value"
    assert registry["compatibility"] == "FULL_TRANSITIVE"
    message = doc["components"]["messages"]["OrderCreated"]
    assert message["payload"]["schemaFormat"] == SCHEMA_FORMAT
    assert message["payload"]["schema"]["name"] == "OrderCreated"
    ops = doc["operations"]
    assert ops["order_sends_order_created"]["action"] == "send"
    assert ops["payment_receives_order_created"]["action"] == "receive"
    md = catalog_md(repo)
    assert "| [`order_created`](#order_created) | `shop.events.OrderCreated` | order |" in md
    assert "| `total` | `decimal(14, 2)` | Sum of quantity x unit_price over all lines. |" in md


def test_committed_docs_are_fresh_and_depend_only_on_the_contracts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = Repo(ROOT)
    assert docs.stale(repo) == [], "run `make docs` and commit the result"
    before = docs.render(repo)
    monkeypatch.setenv("SCHEMA_REGISTRY_URL", "http://elsewhere:1")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "elsewhere:2")
    assert docs.render(Repo(ROOT)) == before  # no environment, no commit id in the output
    assert "version: contracts-" in before["docs/asyncapi.yaml"]


def test_old_writer_new_reader_fills_an_added_decimal_default_with_its_value(
    tmp_path: Path,
) -> None:
    """INTEROP reads as the runtime does: a field the writer lacked gets its typed default, so
    adding a decimal field with a default is no false finding."""
    contracts = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", contracts)
    paid = contracts / "shop/events/order_paid.avsc"
    schema = json.loads(paid.read_text())
    decimal_type = {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}
    schema["fields"].append(
        {"name": "fee", "type": decimal_type, "default": "\u0001\u00f4", "doc": "Fee, 5.00."}
    )
    paid.write_text(json.dumps(schema, indent=2))
    old = interop.generate(ROOT, ROOT / "contracts", "unit-test-old")
    new = interop.generate(ROOT, contracts, "unit-test-new-fee")
    event = interop.roundtrip(old, new, "shop.events.OrderPaid", 0)
    assert event.fee == Decimal("5.00")  # type: ignore[attr-defined]
