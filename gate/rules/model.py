"""What a rule check returns before it is placed in a file: rule, JSON pointer, message, fix."""

from __future__ import annotations

from dataclasses import dataclass

from gate.rules.base import Rule


@dataclass(frozen=True)
class Change:
    rule: Rule
    path: str  # JSON pointer into the new schema
    message: str  # what changed, with the old and the new type or value
    fix: str
    name: str = ""  # a field (or symbol) no longer in the new schema: `path` points at its record
    level: str = ""  # the compatibility level that forbids it, where the level decides
