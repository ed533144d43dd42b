"""Schema-PR walkthroughs: each on a temporary copy of the repository (contracts, codegen, gate,
registry, generated events) with its own git history; the gate runs as a subprocess, as in CI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
COPY = [
    "contracts",
    "avrokit",
    "codegen",
    "gate",
    "services/__init__.py",
    "services/events",
    "pyproject.toml",
]
ORDER_CREATED = "contracts/shop/events/order_created.avsc"
NOTIFICATION = "contracts/shop/events/notification.avsc"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=gate@test", "-c", "user.name=gate", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def base_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("base") / "repo"
    root.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for item in COPY:
        src, dst = REPO / item, root / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore)
        else:
            shutil.copy2(src, dst)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "base contracts")
    return root


@pytest.fixture
def repo(base_repo: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(base_repo, root, symlinks=True)
    return root


def edit(root: Path, path: str, old: str, new: str, message: str) -> None:
    file = root / path
    text = file.read_text()
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new, 1))
    _git(root, "commit", "-qam", message)


def gate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "gate", *args], cwd=root, capture_output=True, text=True, timeout=120
    )
    print(proc.stdout, proc.stderr)  # shown by pytest -rA / on failure: the walkthrough output
    return proc


NOTE = '"doc": "Free-text note from the customer, if any."}'


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
    edit(
        repo,
        ORDER_CREATED,
        NOTE,
        NOTE + ',\n    {"name": "gift_wrap", "type": "boolean", '
        '"doc": "Wrap the order as a gift."}',
        "order_created: required gift_wrap",
    )
    proc = gate(repo, "compat")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    ((i, head),) = [(i, x) for i, x in enumerate(lines) if "WIRE_FIELD_MISSING_DEFAULT" in x]
    assert head.startswith(f"{ORDER_CREATED}:24:14: WIRE_FIELD_MISSING_DEFAULT field 'gift_wrap'")
    assert lines[i + 1].strip() == "fix: add a default to field 'gift_wrap'"
    assert lines[-1] == "gate compat FAILED: 1 error in 12 subjects"


def test_required_field_in_an_earlier_commit_of_the_push_is_still_caught(repo: Path) -> None:
    edit(
        repo,
        ORDER_CREATED,
        NOTE,
        NOTE + ',\n    {"name": "gift_wrap", "type": "boolean", '
        '"doc": "Wrap the order as a gift."}',
        "order_created: required gift_wrap",
    )
    edit(repo, ORDER_CREATED, "Stock keeping unit.", "Stock keeping unit (SKU).", "doc tweak")
    proc = gate(repo, "compat")
    assert proc.returncode == 1
    assert "WIRE_FIELD_MISSING_DEFAULT field 'gift_wrap'" in proc.stdout


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
    assert (
        f"{ORDER_CREATED}:23:14: CODEGEN_FIELD_RENAMED field 'note' of "
        "'shop.events.OrderCreated' was renamed to 'customer_note'"
    ) in proc.stdout
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
        f"{ORDER_CREATED}:20:101: SEMANTIC_DECIMAL_SCALE_CHANGED decimal scale changed from 2 to 3"
    ) in proc.stdout
    # generated classes of both revisions disagree on the value too
    assert "INTEROP_MIXED_VERSIONS" in proc.stdout


def _set_level(root: Path, topics: list[str], level: str) -> None:
    path = root / "contracts/catalog.yaml"
    raw = yaml.safe_load(path.read_text())
    for t in topics:
        raw["topics"][t]["compatibility"] = level
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    _git(root, "commit", "-qam", f"level {level}")


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
        assert len(hits) == 2  # one per subject using the contract
        assert hits[0].startswith(
            f"{NOTIFICATION}:14:18: SEMANTIC_ENUM_SYMBOL_REMOVED enum 'Channel' lost symbols PUSH"
        )
    else:
        assert hits == [] and "passed" in proc.stdout.splitlines()[-1]


def test_override_lets_the_required_field_pass_and_is_reported(repo: Path) -> None:
    (repo / "contracts/compat-overrides.yaml").write_text(
        yaml.safe_dump(
            {
                "overrides": [
                    {
                        "subject": "order_created-value",
                        "rule": "WIRE_FIELD_MISSING_DEFAULT",
                        "field": "gift_wrap",
                        "reason": "all consumers upgraded first in release 42",
                        "approved_by": "alice (platform lead)",
                    }
                ]
            }
        )
    )
    edit(
        repo,
        ORDER_CREATED,
        NOTE,
        NOTE + ',\n    {"name": "gift_wrap", "type": "boolean", '
        '"doc": "Wrap the order as a gift."}',
        "order_created: required gift_wrap, approved",
    )
    proc = gate(repo, "compat")
    assert proc.returncode == 0, proc.stdout
    assert (
        f"override applied: order_created-value WIRE_FIELD_MISSING_DEFAULT at "
        f"{ORDER_CREATED}:24:14: all consumers upgraded first in release 42 "
        "(approved by alice (platform lead))"
    ) in proc.stdout
    assert proc.stdout.splitlines()[-1] == (
        "gate compat passed: 0 errors in 12 subjects, 1 override applied"
    )
    # an override for another field does not cover this one
    (repo / "contracts/compat-overrides.yaml").write_text(
        (repo / "contracts/compat-overrides.yaml").read_text().replace("gift_wrap", "other")
    )
    assert gate(repo, "compat").returncode == 1


def test_against_a_revision_and_machine_formats(repo: Path) -> None:
    _git(repo, "branch", "base")
    edit(
        repo,
        ORDER_CREATED,
        NOTE,
        NOTE + ',\n    {"name": "gift_wrap", "type": "boolean", '
        '"doc": "Wrap the order as a gift."}',
        "required gift_wrap",
    )
    proc = gate(repo, "compat", "--against", "base", "--format", "github")
    assert proc.returncode == 1
    assert proc.stdout.startswith(
        f"::error file={ORDER_CREATED},line=24,col=14,"
        "title=WIRE_FIELD_MISSING_DEFAULT::field 'gift_wrap' was added"
    )
    data = json.loads(gate(repo, "compat", "--against", "base", "--format", "json").stdout)
    (finding,) = data["findings"]
    assert finding["rule"] == "WIRE_FIELD_MISSING_DEFAULT" and finding["line"] == 24
    assert finding["subject"] == "order_created-value"
    # the fix the finding asks for makes it pass
    edit(repo, ORDER_CREATED, '"type": "boolean",', '"type": "boolean", "default": false,', "fix")
    assert gate(repo, "compat", "--against", "base").returncode == 0


def _rename_then_doc_tweak(root: Path) -> str:
    """Commit A renames `note` (alias keeps WIRE passing), commit B tweaks an unrelated doc;
    returns A's short sha."""
    edit(
        root,
        ORDER_CREATED,
        '{"name": "note", "type"',
        '{"name": "customer_note", "aliases": ["note"], "type"',
        "rename note to customer_note",
    )
    sha = _git(root, "rev-parse", "--short=7", "HEAD").strip()
    edit(root, ORDER_CREATED, "Stock keeping unit.", "Stock keeping unit (SKU).", "doc tweak")
    return sha


def test_rename_in_an_earlier_commit_fails_at_the_later_commit_naming_it(repo: Path) -> None:
    sha = _rename_then_doc_tweak(repo)
    proc = gate(repo, "compat")
    assert proc.returncode == 1, proc.stdout
    lines = proc.stdout.splitlines()
    ((i, head),) = [(i, x) for i, x in enumerate(lines) if "CODEGEN_FIELD_RENAMED" in x]
    assert head == (
        f"{ORDER_CREATED}:23:14: CODEGEN_FIELD_RENAMED field 'note' of "
        "'shop.events.OrderCreated' was renamed to 'customer_note' "
        f"[order_created-value, introduced in {sha} rename note to customer_note]"
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
    # --against keeps its meaning: HEAD against that revision only (B vs A passes)
    assert gate(repo, "compat", "--against", "HEAD~1", "--no-interop").returncode == 0


def test_override_covers_the_older_step_and_is_listed(repo: Path) -> None:
    (repo / "contracts/compat-overrides.yaml").write_text(
        yaml.safe_dump(
            {
                "overrides": [
                    {
                        "subject": "order_created-value",
                        "rule": "CODEGEN_FIELD_RENAMED",
                        "field": "note",
                        "reason": "every reader moved to customer_note in release 43",
                        "approved_by": "bob (orders lead)",
                    }
                ]
            }
        )
    )
    _git(repo, "add", "contracts/compat-overrides.yaml")
    _git(repo, "commit", "-qm", "override the rename")
    sha = _rename_then_doc_tweak(repo)
    proc = gate(repo, "compat")
    assert proc.returncode == 0, proc.stdout
    assert (
        f"override applied: order_created-value CODEGEN_FIELD_RENAMED at {ORDER_CREATED}:23:14 "
        f"(introduced in {sha} rename note to customer_note): every reader moved to "
        "customer_note in release 43 (approved by bob (orders lead))"
    ) in proc.stdout
    assert proc.stdout.splitlines()[-1] == (
        "gate compat passed: 0 errors in 12 subjects, 1 override applied"
    )
