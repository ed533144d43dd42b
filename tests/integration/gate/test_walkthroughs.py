"""Schema-PR walkthroughs: each on a temporary copy of the repository (contracts, codegen, gate,
generated events) with its own git history; the gate runs as a subprocess, as in CI."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from gate_repo import GIFT_WRAP, NOTE, NOTIFICATION, ORDER_CREATED, edit, gate, git, head

GIFT_WRAP_FINDING = (
    f"{ORDER_CREATED}:24:14: WIRE_FIELD_MISSING_DEFAULT shop.events.OrderCreated.gift_wrap: "
    "field 'gift_wrap' was added to record 'shop.events.OrderCreated' without a default "
    "(FULL_TRANSITIVE)"
)
RENAME_FINDING = (
    f"{ORDER_CREATED}:23:14: CODEGEN_FIELD_RENAMED shop.events.OrderCreated.customer_note: "
    "field 'note' of 'shop.events.OrderCreated' was renamed to 'customer_note'"
)


def test_add_optional_field_with_default_passes_and_codegen_adds_it(repo: Path) -> None:
    edit(
        repo,
        ORDER_CREATED,
        NOTE,
        NOTE + ',\n    {"name": "gift_message", "type": ["null", '
        '"string"], "default": null, "doc": "Message printed on the gift card, if any."}',
        "order_created: optional gift_message",
    )
    proc = gate(repo, "compat")
    assert proc.returncode == 0, proc.stdout
    assert "gate compat passed: 0 errors in 12 subjects" in proc.stdout
    assert gate(repo, "lint").returncode == 0
    subprocess.run([sys.executable, "-m", "codegen"], cwd=repo, check=True, capture_output=True)
    code = (repo / "services/events/generated.py").read_text()
    namespace: dict[str, object] = {}
    exec(compile(code, "generated", "exec"), namespace)  # noqa: S102 - the generated module
    fields = namespace["OrderCreated"].model_fields  # type: ignore[attr-defined]
    assert "gift_message" in fields and fields["gift_message"].default is None


def test_add_required_field_is_a_wire_error_naming_field_and_fix(repo: Path) -> None:
    edit(repo, ORDER_CREATED, NOTE, GIFT_WRAP, "order_created: required gift_wrap")
    proc = gate(repo, "compat")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    ((i, line),) = [(i, x) for i, x in enumerate(lines) if "WIRE_FIELD_MISSING_DEFAULT" in x]
    assert line.startswith(GIFT_WRAP_FINDING + " [order_created-value, against git ")
    assert lines[i + 1].strip() == "fix: add a default to field 'gift_wrap'"
    assert lines[-1] == "gate compat FAILED: 1 error in 12 subjects"


def test_required_field_in_an_earlier_commit_of_the_push_is_still_caught(repo: Path) -> None:
    edit(repo, ORDER_CREATED, NOTE, GIFT_WRAP, "order_created: required gift_wrap")
    sha = head(repo)[:7]
    edit(repo, ORDER_CREATED, "Stock keeping unit.", "Stock keeping unit (SKU).", "doc tweak")
    proc = gate(repo, "compat", "--no-interop")
    assert proc.returncode == 1
    assert (
        f"{GIFT_WRAP_FINDING} [order_created-value, introduced in {sha} order_created: "
        "required gift_wrap]"
    ) in proc.stdout.splitlines()


def test_rename_field_is_a_codegen_error(repo: Path) -> None:
    edit(
        repo,
        ORDER_CREATED,
        '{"name": "note", "type"',
        '{"name": "customer_note", "aliases": ["note"], "type"',
        "rename note",
    )
    proc = gate(repo, "compat")
    assert proc.returncode == 1
    assert RENAME_FINDING in proc.stdout
    assert "WIRE_" not in proc.stdout  # the alias and default keep the wire readable


def test_decimal_scale_change_is_a_semantic_error(repo: Path) -> None:
    edit(
        repo,
        ORDER_CREATED,
        '"precision": 14, "scale": 2',
        '"precision": 14, "scale": 3',
        "total with 3 decimals",
    )
    proc = gate(repo, "compat")
    assert proc.returncode == 1
    assert (
        f"{ORDER_CREATED}:20:101: SEMANTIC_DECIMAL_SCALE_CHANGED shop.events.OrderCreated.total: "
        "decimal scale changed from 2 to 3"
    ) in proc.stdout
    # generated classes of both revisions disagree on the value too
    assert "INTEROP_MIXED_VERSIONS" in proc.stdout


def _set_level(root: Path, topics: list[str], level: str) -> None:
    path = root / "contracts/catalog.yaml"
    raw = yaml.safe_load(path.read_text())
    for t in topics:
        raw["topics"][t]["compatibility"] = level
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    git(root, "commit", "-qam", f"level {level}")


@pytest.mark.parametrize(
    ("level", "fails"),
    [("BACKWARD_TRANSITIVE", True), ("FULL", True), ("FORWARD_TRANSITIVE", False), ("NONE", False)],
)
def test_remove_enum_symbol_fails_only_where_the_level_forbids(
    repo: Path, level: str, fails: bool
) -> None:
    _set_level(repo, ["high_priority_notifications", "low_priority_notifications"], level)
    edit(
        repo,
        NOTIFICATION,
        '"symbols": ["EMAIL", "SMS", "PUSH"]',
        '"symbols": ["EMAIL", "SMS"]',
        "drop PUSH",
    )
    proc = gate(repo, "compat")
    assert proc.returncode == int(fails), proc.stdout
    hits = [x for x in proc.stdout.splitlines() if "SEMANTIC_ENUM_SYMBOL_REMOVED" in x]
    if fails:
        (hit,) = hits  # once, naming both subjects that carry the contract
        assert hit.startswith(
            f"{NOTIFICATION}:14:18: SEMANTIC_ENUM_SYMBOL_REMOVED shop.events.Notification.channel: "
            "enum 'Channel' lost symbols PUSH"
        )
        assert "[high_priority_notifications-value, low_priority_notifications-value, " in hit
    else:
        assert hits == [] and "passed" in proc.stdout.splitlines()[-1]


def _overrides(root: Path, *entries: dict[str, str]) -> None:
    (root / "contracts/compat-overrides.yaml").write_text(
        yaml.safe_dump({"overrides": list(entries)}, sort_keys=False)
    )


GIFT_WRAP_OVERRIDE = {
    "subject": "order_created-value",
    "rule": "WIRE_FIELD_MISSING_DEFAULT",
    "path": "shop.events.OrderCreated.gift_wrap",
    "reason": "all consumers upgraded first in release 42",
    "approved_by": "alice (platform lead)",
}


def test_override_lets_the_required_field_pass_and_is_reported(repo: Path) -> None:
    """The entry comes with the break, scoped to the branch (`range: <base>..`), so a squash
    merge is covered too."""
    base = head(repo)
    _overrides(repo, {**GIFT_WRAP_OVERRIDE, "range": f"{base}.."})
    edit(repo, ORDER_CREATED, NOTE, GIFT_WRAP, "order_created: required gift_wrap, approved")
    proc = gate(repo, "compat")
    assert proc.returncode == 0, proc.stdout
    assert (
        "override applied: order_created-value WIRE_FIELD_MISSING_DEFAULT "
        f"shop.events.OrderCreated.gift_wrap at {ORDER_CREATED}:24:14: all consumers upgraded "
        "first in release 42 (approved by alice (platform lead))"
    ) in proc.stdout
    assert proc.stdout.splitlines()[-1] == (
        "gate compat passed: 0 errors in 12 subjects, 1 override applied"
    )
    # an override for another field does not cover this one, and says it matches nothing (in
    # merge-base mode, the pull request's own overrides file judges its change)
    other = {**GIFT_WRAP_OVERRIDE, "path": "shop.events.OrderCreated.other", "range": f"{base}.."}
    _overrides(repo, other)
    proc = gate(repo, "compat", "--no-interop", "--against", base)
    assert proc.returncode == 1
    assert (
        "warning: contracts/compat-overrides.yaml: override #1 (order_created-value "
        "WIRE_FIELD_MISSING_DEFAULT shop.events.OrderCreated.other at range "
        f"{base}..) matches no finding: delete it"
    ) in proc.stdout


def test_an_entry_deleted_after_the_merge_still_approves_its_commit(repo: Path) -> None:
    """Overrides no longer only grow: history mode reads each step's overrides from its commit
    on, so the entry may go once the break is in the history."""
    _overrides(repo, {**GIFT_WRAP_OVERRIDE, "range": f"{head(repo)}.."})
    edit(repo, ORDER_CREATED, NOTE, GIFT_WRAP, "required gift_wrap, approved")
    _overrides(repo)
    git(repo, "commit", "-qam", "release 42 is out: drop the override")
    proc = gate(repo, "compat", "--no-interop")
    assert proc.returncode == 0, proc.stdout
    assert "override applied: order_created-value WIRE_FIELD_MISSING_DEFAULT" in proc.stdout
    assert "warning" not in proc.stdout
    # a stated commit that is not in the history (rebased away) has expired
    _overrides(repo, {**GIFT_WRAP_OVERRIDE, "commit": "0" * 40})
    proc = gate(repo, "compat", "--no-interop")
    assert proc.returncode == 0
    assert f"at commit {'0' * 40}) has expired: commit {'0' * 40} is not in the history" in (
        proc.stdout
    )


def test_against_a_revision_and_machine_formats(repo: Path) -> None:
    git(repo, "branch", "base")
    edit(repo, ORDER_CREATED, NOTE, GIFT_WRAP, "required gift_wrap")
    proc = gate(repo, "compat", "--against", "base", "--format", "github")
    assert proc.returncode == 1
    assert proc.stdout.startswith(
        f"::error file={ORDER_CREATED},line=24,col=14,title=WIRE_FIELD_MISSING_DEFAULT::"
        "shop.events.OrderCreated.gift_wrap: field 'gift_wrap' was added"
    )
    data = json.loads(gate(repo, "compat", "--against", "base", "--format", "json").stdout)
    (finding,) = data["findings"]
    assert finding["rule"] == "WIRE_FIELD_MISSING_DEFAULT" and finding["line"] == 24
    assert finding["subject"] == "order_created-value"
    assert finding["field"] == "shop.events.OrderCreated.gift_wrap"
    assert finding["commit"] == head(repo)
    # the fix the finding asks for makes it pass
    edit(repo, ORDER_CREATED, '"type": "boolean",', '"type": "boolean", "default": false,', "fix")
    assert gate(repo, "compat", "--against", "base").returncode == 0


def _rename_then_doc_tweak(root: Path) -> str:
    """Commit A renames `note` (alias keeps WIRE passing), commit B tweaks an unrelated doc;
    returns A's full sha."""
    edit(
        root,
        ORDER_CREATED,
        '{"name": "note", "type"',
        '{"name": "customer_note", "aliases": ["note"], "type"',
        "rename note to customer_note",
    )
    sha = head(root)
    edit(root, ORDER_CREATED, "Stock keeping unit.", "Stock keeping unit (SKU).", "doc tweak")
    return sha


def test_rename_in_an_earlier_commit_fails_at_the_later_commit_naming_it(repo: Path) -> None:
    sha = _rename_then_doc_tweak(repo)[:7]
    proc = gate(repo, "compat")
    assert proc.returncode == 1, proc.stdout
    lines = proc.stdout.splitlines()
    ((i, line),) = [(i, x) for i, x in enumerate(lines) if "CODEGEN_FIELD_RENAMED" in x]
    assert line == (
        f"{RENAME_FINDING} [order_created-value, introduced in {sha} rename note to customer_note]"
    )
    assert lines[i + 1].startswith("    fix: ")
    assert "WIRE_" not in proc.stdout
    assert lines[-1] == "gate compat FAILED: 1 error in 12 subjects"
    # the same finding in JUnit XML, as CI test reports read it
    junit = gate(repo, "compat", "--format", "junit", "--no-interop")
    assert junit.returncode == 1
    root = ET.fromstring(junit.stdout)
    assert root.get("failures") == "1" and len(root.findall("testsuite")) == 12
    (case,) = root.findall("testsuite[@name='order_created-value']/testcase")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "CODEGEN_FIELD_RENAMED"
    assert f"introduced in {sha}" in (failure.text or "")
    # --against compares with the merge base only: HEAD against HEAD~1 (B vs A) passes
    assert gate(repo, "compat", "--against", "HEAD~1", "--no-interop").returncode == 0


def test_override_stating_the_older_commit_covers_that_step_and_is_listed(repo: Path) -> None:
    sha = _rename_then_doc_tweak(repo)
    _overrides(
        repo,
        {
            "subject": "order_created-value",
            "rule": "CODEGEN_FIELD_RENAMED",
            "path": "shop.events.OrderCreated.customer_note",
            "commit": sha[:10],
            "reason": "every reader moved to customer_note in release 43",
            "approved_by": "bob (orders lead)",
        },
    )
    git(repo, "add", "contracts/compat-overrides.yaml")
    git(repo, "commit", "-qm", "approve the rename")
    proc = gate(repo, "compat")
    assert proc.returncode == 0, proc.stdout
    assert (
        "override applied: order_created-value CODEGEN_FIELD_RENAMED "
        f"shop.events.OrderCreated.customer_note at {ORDER_CREATED}:23:14 (introduced in "
        f"{sha[:7]} rename note to customer_note): every reader moved to customer_note in "
        "release 43 (approved by bob (orders lead))"
    ) in proc.stdout
    assert proc.stdout.splitlines()[-1] == (
        "gate compat passed: 0 errors in 12 subjects, 1 override applied"
    )
