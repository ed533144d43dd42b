"""Rule definitions: a stable id, a category, what it catches, how to fix it, a bad and a good
example. Every rule module declares its rules with `rule(...)`; `RULES.md` is rendered from them."""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = {
    "WIRE": "Avro schema resolution fails for the subject's compatibility level.",
    "CODEGEN": "The bytes still resolve, but the generated classes or code importing them break.",
    "SEMANTIC": "Same bytes, different meaning.",
    "INTEROP": "Generated classes of the base revision and of the change do not exchange events.",
    "LINT": "Contract style and safety rules (`make lint`).",
}


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    summary: str
    fix: str
    bad: str
    good: str


RULES: dict[str, Rule] = {}


def rule(id: str, category: str, summary: str, fix: str, bad: str, good: str) -> Rule:
    assert category in CATEGORIES and id.startswith(category + "_"), id
    RULES[id] = Rule(id, category, summary, fix, bad.strip(), good.strip())
    return RULES[id]
