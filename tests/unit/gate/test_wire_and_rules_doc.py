from __future__ import annotations

import json
from pathlib import Path

from avrokit import CompatibilityLevel as L
from avrokit import parse_schema
from gate import ruledoc
from gate.rules import CATEGORIES, RULES, wire

V1 = {"type": "record", "name": "A", "fields": [{"name": "x", "type": "int"}]}
V2 = {
    "type": "record",
    "name": "A",
    "fields": [{"name": "x", "type": "int"}, {"name": "y", "type": "string", "default": ""}],
}
V3 = {
    "type": "record",
    "name": "A",
    "fields": [{"name": "y", "type": "string", "default": ""}, {"name": "z", "type": "int"}],
}


def parsed(schema: dict) -> object:  # type: ignore[type-arg]
    return parse_schema(json.dumps(schema))


def test_registry_kinds_map_to_stable_rule_ids_with_the_version_found_against() -> None:
    found = wire.check(parsed(V3), [(0, parsed(V1)), (1, parsed(V2))], L.BACKWARD)  # type: ignore[arg-type]
    assert [(c.rule.id, c.path, idx) for c, idx in found] == [
        ("WIRE_FIELD_MISSING_DEFAULT", "/fields/1", 1)
    ]
    transitive = wire.check(parsed(V3), [(0, parsed(V1)), (1, parsed(V2))], L.FULL_TRANSITIVE)  # type: ignore[arg-type]
    assert {idx for _, idx in transitive} == {0, 1}
    assert "'x'" in " ".join(c.message for c, _ in transitive)  # removal of x breaks forward


def test_every_rule_has_a_documented_bad_and_good_example() -> None:
    assert len(RULES) >= 30
    for r in RULES.values():
        assert r.category in CATEGORIES and r.id.startswith(r.category + "_")
        assert r.summary and r.fix and r.bad and r.good and r.bad != r.good


def test_rules_md_is_generated_from_the_definitions_and_fresh() -> None:
    text = ruledoc.render()
    for rule_id in RULES:
        assert f"### `{rule_id}`" in text
    committed = Path(__file__).resolve().parents[3] / "gate" / "RULES.md"
    assert committed.read_text() == text, "run `python -m gate rules`"
