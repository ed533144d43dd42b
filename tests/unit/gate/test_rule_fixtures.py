"""Every rule tested as buf tests its rules: a fixture pair per rule id in
tests/fixtures/gate_rules/<RULE_ID>.yaml, driven by the rule table itself, so a new rule without
fixtures fails here. On the bad example exactly that rule fires (plus the rules a fixture lists
under `also`, where no change can trigger the rule alone); on the good example nothing fires."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from avrokit import CompatibilityLevel, InvalidSchema, parse_schema
from avrokit.catalog import load_catalog
from gate import interop, steps
from gate.declarations import RULE, compare
from gate.history import Version
from gate.interop import CodegenFailed
from gate.registry_mode import drift_change, verdict_changes
from gate.rules import RULES, lint

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests/fixtures/gate_rules"
META = "shop.common.EventMetadata"
META_TEXT = (ROOT / "contracts/shop/common/event_metadata.avsc").read_text()
GENERATED = {"CODEGEN_GENERATION_FAILED", "INTEROP_MIXED_VERSIONS"}  # need codegen's classes


def fired(case: dict[str, Any], rule: str, work: Path) -> set[str]:
    """The rule ids that fire on one fixture case."""
    if "registry_verdict" in case:
        return {c.rule.id for c in verdict_changes(case["registry_verdict"])}
    if "declarations" in case:
        topics = {n: (t["owner"], t["consumers"]) for n, t in case["catalog"].items()}
        return {RULE.id for _ in compare(topics, case["declarations"])}
    if "catalog_level" in case:
        drift = drift_change("s-value", case["catalog_level"], case["registry_level"])
        return {drift.rule.id} if drift else set()
    if "schema" in case:
        ids = {c.rule.id for c in lint.check(case["schema"], PurePosixPath(case["file"]), META)}
        try:
            parse_schema(json.dumps(case["schema"]), [META_TEXT])
        except InvalidSchema:
            ids.add(lint.INVALID.id)
        return ids
    level = CompatibilityLevel(case["level"])
    old_text, new_text = json.dumps(case["old"]), json.dumps(case["new"])
    try:
        new = parse_schema(new_text)
    except InvalidSchema:
        return {"WIRE_INVALID_SCHEMA"}
    previous = [(Version("old", old_text, ()), parse_schema(old_text))]
    found = steps.check(new, new_text, previous, level)
    ids = {f.change.rule.id for f in found}
    if rule in GENERATED and not any(f.wire for f in found):
        ids |= _generated(case, level, work)
    return ids


def _contracts(schema: dict[str, Any], level: CompatibilityLevel, where: Path) -> Path:
    catalog = {
        "topics": {
            "paid": {
                "value": "shop/events/paid.avsc",
                "partitions": 1,
                "owner": "payment",
                "consumers": [],
                "compatibility": level.value,
            }
        }
    }
    (where / "shop/events").mkdir(parents=True)
    (where / "catalog.yaml").write_text(yaml.safe_dump(catalog))
    (where / "shop/events/paid.avsc").write_text(json.dumps(schema, indent=2))
    return where


def _generated(case: dict[str, Any], level: CompatibilityLevel, work: Path) -> set[str]:
    """INTEROP and codegen's verdict: both versions through `python -m codegen`."""
    tag = hashlib.sha256(json.dumps(case, sort_keys=True).encode()).hexdigest()[:12]
    old_dir = _contracts(case["old"], level, work / "old")
    new_dir = _contracts(case["new"], level, work / "new")
    old = interop.generate(ROOT, old_dir, f"fixture-{tag}-old")
    try:
        new = interop.generate(ROOT, new_dir, f"fixture-{tag}-new")
    except CodegenFailed:
        return {"CODEGEN_GENERATION_FAILED"}
    contract = load_catalog(new_dir).topics["paid"].value
    return {c.rule.id for c in interop.check(old, new, contract, level)}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_has_a_bad_fixture_where_exactly_it_fires_and_a_good_one(
    rule: str, tmp_path: Path
) -> None:
    path = FIXTURES / f"{rule}.yaml"
    assert path.is_file(), f"rule {rule} has no fixture: add {path.relative_to(ROOT)}"
    data = yaml.safe_load(path.read_text())
    assert set(data) <= {"bad", "good", "also"}
    (tmp_path / "bad").mkdir()
    (tmp_path / "good").mkdir()
    assert fired(data["bad"], rule, tmp_path / "bad") == {rule, *data.get("also", [])}
    assert fired(data["good"], rule, tmp_path / "good") == set()


def test_every_fixture_belongs_to_a_rule() -> None:
    assert {p.stem for p in FIXTURES.glob("*.yaml")} <= set(RULES)
