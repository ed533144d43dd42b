"""Data contracts (Confluent 7.4+): `metadata` and `ruleSet` stored with a schema.

The registry stores, returns and matches them; it never executes rules (that is the client's job:
serializers run CEL/JSONata/encryption rules themselves).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry import errors

RULE_KINDS = ("TRANSFORM", "CONDITION")
RULE_MODES = ("UPGRADE", "DOWNGRADE", "UPDOWN", "READ", "WRITE", "WRITEREAD")
RULE_LISTS = ("migrationRules", "domainRules", "encodingRules")
# Rules on the wire that only make sense on one side: migration rules migrate between versions.
MIGRATION_MODES = ("UPGRADE", "DOWNGRADE", "UPDOWN")


def check_rule_set(rule_set: Mapping[str, Any] | None) -> None:
    """Confluent's RuleSet validation: named rules, known kind and mode, unique names per list,
    migration modes only on migration rules. Raises 42201."""
    if rule_set is None:
        return
    for list_name in RULE_LISTS:
        seen: set[str] = set()
        for rule in rule_set.get(list_name) or ():
            name = rule.get("name") or ""
            if not name:
                raise errors.invalid_schema(f"Invalid ruleSet: a rule in {list_name} has no name")
            if name in seen:
                raise errors.invalid_schema(f"Invalid ruleSet: duplicate rule name '{name}'")
            seen.add(name)
            kind, mode = rule.get("kind"), rule.get("mode")
            if kind is not None and kind not in RULE_KINDS:
                raise errors.invalid_schema(f"Invalid ruleSet: rule '{name}' has kind {kind!r}")
            if mode is not None and mode not in RULE_MODES:
                raise errors.invalid_schema(f"Invalid ruleSet: rule '{name}' has mode {mode!r}")
            migration_list = list_name == "migrationRules"
            if mode is not None and (mode in MIGRATION_MODES) != migration_list:
                raise errors.invalid_schema(
                    f"Invalid ruleSet: rule '{name}' in {list_name} cannot have mode {mode}"
                )


def has_properties(metadata: Mapping[str, Any] | None, wanted: Mapping[str, str]) -> bool:
    """True if every wanted key=value pair is among the metadata's properties."""
    properties = (metadata or {}).get("properties") or {}
    return all(properties.get(k) == v for k, v in wanted.items())
