"""WIRE rules: Avro schema resolution at the subject's level, delegated to `avrokit` (the
same code the registry server runs); each `Incompatibility.kind` gets a stable rule id and docs."""

from __future__ import annotations

from collections.abc import Sequence

from avrokit import CompatibilityLevel, ParsedSchema, check_compatibility
from gate.rules.base import Rule, rule
from gate.rules.model import Change

INVALID = rule(
    "WIRE_INVALID_SCHEMA",
    "WIRE",
    "The contract is not a valid Avro schema (strict parsing, as the registry does it).",
    "fix the schema so the registry accepts it",
    '{"name": "quantity", "type": "int", "default": "one"}',
    '{"name": "quantity", "type": "int", "default": 1}',
)
KINDS: dict[str, Rule] = {
    "READER_FIELD_MISSING_DEFAULT_VALUE": rule(
        "WIRE_FIELD_MISSING_DEFAULT",
        "WIRE",
        "A field the reader needs is absent from the writer's data and has no default: a field "
        "added without a default (backward), or a field without default removed (forward).",
        'give the field a default (optional fields: ["null", T] with default null)',
        '{"name": "gift_wrap", "type": "boolean", "doc": "..."}',
        '{"name": "gift_wrap", "type": "boolean", "default": false, "doc": "..."}',
    ),
    "TYPE_MISMATCH": rule(
        "WIRE_TYPE_MISMATCH",
        "WIRE",
        "A value's type changed in a way Avro cannot resolve (only int->long->float->double and "
        "string<->bytes promote).",
        "keep the old type; add a new field with the new type",
        '{"name": "quantity", "type": "string"}   # was "int"',
        '{"name": "quantity", "type": "int"}',
    ),
    "NAME_MISMATCH": rule(
        "WIRE_NAME_MISMATCH",
        "WIRE",
        "A named type's name changed and no alias maps the old name.",
        "keep the name (or add the old full name to `aliases`)",
        '{"type": "record", "name": "Line", ...}   # was OrderLine',
        '{"type": "record", "name": "OrderLine", ...}',
    ),
    "FIXED_SIZE_MISMATCH": rule(
        "WIRE_FIXED_SIZE_MISMATCH",
        "WIRE",
        "A fixed type's size changed.",
        "keep the size",
        '{"type": "fixed", "name": "Hash", "size": 16}   # was 32',
        '{"type": "fixed", "name": "Hash", "size": 32}',
    ),
    "MISSING_ENUM_SYMBOLS": rule(
        "WIRE_MISSING_ENUM_SYMBOLS",
        "WIRE",
        "The writer may send enum symbols the reader lacks, and the reader's enum has no default.",
        "keep the symbols, or give the enum a default symbol first",
        '{"type": "enum", "name": "Reason", "symbols": ["DECLINED"]}   # FRAUD removed, no default',
        '{"type": "enum", "name": "Reason", "symbols": ["DECLINED", "FRAUD"], "default": '
        '"DECLINED"}',
    ),
    "MISSING_UNION_BRANCH": rule(
        "WIRE_MISSING_UNION_BRANCH",
        "WIRE",
        "A union lost (or gained) a branch the other side must read.",
        "keep the union's branches",
        '{"name": "note", "type": "string"}   # was ["null", "string"]',
        '{"name": "note", "type": ["null", "string"], "default": null}',
    ),
}
OTHER = rule(
    "WIRE_INCOMPATIBLE",
    "WIRE",
    "Any other resolution failure the registry's rules report (a kind added there after this "
    "table was written); the message and fix come from the registry.",
    "follow the message's fix",
    '{"name": "tags", "type": {"type": "array", "items": "string"}}   # any unresolvable change',
    '{"name": "tags", "type": {"type": "map", "values": "string"}}   # the published type',
)

LEVEL_DRIFT = rule(
    "WIRE_LEVEL_DRIFT",
    "WIRE",
    "Registry mode: the registry checks a subject at another compatibility level than the "
    "catalog states, so it accepts (or refuses) changes the gate does not.",
    "run `make register` (it sets each subject's level from the catalog), or change the catalog",
    "catalog.yaml: compatibility: FULL_TRANSITIVE   # registry: BACKWARD",
    "catalog.yaml: compatibility: FULL_TRANSITIVE   # registry: FULL_TRANSITIVE",
)


def check(
    new: ParsedSchema,
    previous: Sequence[tuple[int | None, ParsedSchema]],
    level: CompatibilityLevel,
) -> list[tuple[Change, int | None]]:
    """Changes with the index (into `previous`) of the version each was found against."""
    out = []
    for inc in check_compatibility(new, previous, level):
        r = KINDS.get(inc.kind, OTHER)
        change = Change(r, inc.path, inc.message, inc.fix, inc.field, str(inc.level))
        out.append((change, inc.against_version))
    return out
