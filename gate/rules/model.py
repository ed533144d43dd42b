"""What a rule check returns before it is placed in a file: rule, JSON pointer, message, fix."""

from __future__ import annotations

from dataclasses import dataclass

from gate.rules.base import Rule


@dataclass(frozen=True)
class Change:
    rule: Rule
    path: str  # JSON pointer into the new schema
    message: str
    fix: str
