"""INTEROP rules: the generated classes of two versions really exchange events (run by
gate/interop.py)."""

from __future__ import annotations

from gate.rules.base import rule

MIXED_VERSIONS = rule(
    "INTEROP_MIXED_VERSIONS",
    "INTEROP",
    "An event written by one generation of the classes cannot be read into the other generation's "
    "class (run for every changed contract whose WIRE check passed).",
    "make the change resolvable both ways the level promises (usually: add a default)",
    '{"name": "order_ref", "type": {"type": "string", "logicalType": "uuid"}, "default": ""}\n'
    '# the new class cannot read old events: the default "" is no uuid',
    '{"name": "order_ref", "type": ["null", {"type": "string", "logicalType": "uuid"}], '
    '"default": null}',
)
