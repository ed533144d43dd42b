"""The gate in the CI setups people use: shallow clones never pass silently, merge-base mode for
pull requests, and every finding names its field once (the cases of issue 10, end to end)."""

from __future__ import annotations

from pathlib import Path

import yaml
from gate_repo import EVENT_METADATA, ORDER_PAID, edit, gate, git

CURRENCY = '"doc": "ISO 4217 currency code of the amount."}'
GATEWAY = CURRENCY + ',\n    {"name": "gateway", "type": "string", "doc": "Payment gateway."}'
GATEWAY_FINDING = (
    f"{ORDER_PAID}:12:14: WIRE_FIELD_MISSING_DEFAULT shop.events.OrderPaid.gateway: field "
    "'gateway' was added to record 'shop.events.OrderPaid' without a default (FULL_TRANSITIVE)"
)


def _findings(stdout: str) -> list[str]:
    return [x for x in stdout.splitlines() if x.startswith("contracts/")]


def test_a_depth_1_clone_of_a_breaking_commit_fails_with_the_fetch_hint(
    repo: Path, tmp_path: Path
) -> None:
    git(repo, "checkout", "-qb", "feature")
    edit(repo, ORDER_PAID, CURRENCY, GATEWAY, "order_paid: required gateway")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "-b", "feature", f"file://{repo}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    proc = gate(clone, "compat")
    assert proc.returncode == 2 and proc.stdout == ""  # never "passed"
    (line,) = proc.stderr.splitlines()
    assert line.startswith("gate compat: cannot read the earlier versions of contracts/")
    assert "this clone is shallow" in line
    assert "fetch-depth: 0" in line and "git fetch --unshallow" in line
    assert "AGAINST=origin/main after git fetch origin main" in line
    # the hint's second way: the base branch fetched, compared with it
    git(clone, "fetch", "-q", "origin", "main:refs/remotes/origin/main")
    proc = gate(clone, "compat", "--against", "origin/main", "--no-interop")
    assert proc.returncode == 1
    assert [f.split(" [")[0] for f in _findings(proc.stdout)] == [GATEWAY_FINDING]
    assert "no common ancestor in this shallow clone: compared with origin/main" in proc.stdout
    # the first way: the whole history
    git(clone, "fetch", "-q", "--unshallow")
    proc = gate(clone, "compat", "--no-interop")
    assert proc.returncode == 1
    assert [f.split(" [")[0] for f in _findings(proc.stdout)] == [GATEWAY_FINDING]


def test_merge_base_mode_judges_the_branch_change_and_a_new_contract_says_so(
    repo: Path,
) -> None:
    git(repo, "checkout", "-qb", "feature")
    returned = repo / "contracts/shop/events/order_returned.avsc"
    paid = (repo / ORDER_PAID).read_text()
    returned.write_text(paid.replace('"OrderPaid"', '"OrderReturned"'))
    catalog = repo / "contracts/catalog.yaml"
    raw = yaml.safe_load(catalog.read_text())
    raw["topics"]["order_returned"] = {
        **raw["topics"]["order_paid"],
        "value": "shop/events/order_returned.avsc",
    }
    catalog.write_text(yaml.safe_dump(raw, sort_keys=False))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "order_returned: a new event")
    # main moved on meanwhile: its own change is not the branch's
    git(repo, "checkout", "-q", "main")
    edit(repo, ORDER_PAID, CURRENCY, GATEWAY, "main: required gateway (someone else's break)")
    git(repo, "checkout", "-q", "feature")
    proc = gate(repo, "compat", "--against", "main", "--no-interop")
    assert proc.returncode == 0, proc.stdout
    assert (
        "contracts/shop/events/order_returned.avsc: not in the merge base "
    ) in proc.stdout and ": new, nothing to compare with" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "gate compat passed: 0 errors in 13 subjects"
    missing = gate(repo, "compat", "--against", "origin/nope")
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "gate compat: AGAINST=origin/nope names no commit in this clone: fetch it first "
        "(e.g. git fetch origin main), or check out with full history (fetch-depth: 0)"
    )


def test_payment_id_changed_to_long_is_one_finding_naming_the_field(repo: Path) -> None:
    edit(
        repo,
        ORDER_PAID,
        '"name": "payment_id", "type": "string"',
        '"name": "payment_id", "type": "long"',
        "payment_id as a number",
    )
    proc = gate(repo, "compat")
    assert proc.returncode == 1
    (line,) = _findings(proc.stdout)
    assert line.startswith(
        f"{ORDER_PAID}:9:36: WIRE_TYPE_MISMATCH shop.events.OrderPaid.payment_id: type changed "
        "from string to long (FULL_TRANSITIVE) [order_paid-value, against git "
    )


def test_occurred_at_unit_change_is_one_finding_for_every_subject_and_codegen_says_so_once(
    repo: Path,
) -> None:
    edit(
        repo,
        EVENT_METADATA,
        '"type": {"type": "long", "logicalType": "timestamp-millis"}',
        '"type": {"type": "long", "logicalType": "local-timestamp-millis"}',
        "occurred_at in local time",
    )
    proc = gate(repo, "compat")
    assert proc.returncode == 1
    assert proc.stderr == ""  # no avro-python warnings
    semantic, refused = _findings(proc.stdout)
    assert semantic.startswith(
        f"{EVENT_METADATA}:10:69: SEMANTIC_TIMESTAMP_UNIT_CHANGED "
        "shop.common.EventMetadata.occurred_at: logical type changed from timestamp-millis to "
        "local-timestamp-millis [shop.common.EventMetadata, order_created-value, "
    )
    assert semantic.count("-value") == 11  # every event that embeds the type, in one finding
    # what codegen cannot generate: once, apart from the rules, at the same field
    assert refused.startswith(
        f"{EVENT_METADATA}:10:37: CODEGEN_GENERATION_FAILED shop.common.EventMetadata.occurred_at: "
        "codegen: shop.common.EventMetadata.occurred_at: logicalType 'local-timestamp-millis' on "
        "'long' is not supported by codegen"
    )
    assert "INTEROP" not in proc.stdout


def test_a_wire_break_in_a_shared_type_is_one_finding_and_nested_fields_have_full_paths(
    repo: Path,
) -> None:
    edit(
        repo,
        EVENT_METADATA,
        '{"name": "producer", "type": "string"',
        '{"name": "producer", "type": "int"',
        "producer as a number",
    )
    edit(
        repo,
        "contracts/shop/events/inventory_reserved.avsc",
        '{"name": "sku", "type": "string"',
        '{"name": "sku", "type": "int"',
        "sku as a number",
    )
    edit(
        repo,
        ORDER_PAID,
        '"name": "order_id", "type": {"type": "string", "logicalType": "uuid"}',
        '"name": "order_id", "type": "string"',
        "order_id without its logical type",
    )
    proc = gate(repo, "compat", "--no-interop")
    assert proc.returncode == 1
    shared, nested, uuid = sorted(_findings(proc.stdout))
    assert (
        " WIRE_TYPE_MISMATCH shop.common.EventMetadata.producer: type changed from string to "
        in (shared)
    )
    assert shared.count("-value") == 11 and shared.count("WIRE_TYPE_MISMATCH") == 1
    assert " WIRE_TYPE_MISMATCH shop.events.InventoryReserved.lines[].sku: type changed from " in (
        nested
    )
    assert " SEMANTIC_LOGICAL_TYPE_REMOVED shop.events.OrderPaid.order_id: logical type uuid " in (
        uuid
    )
