"""The gate's rules, by category: each module declares its rules with `rule(...)`, and this
package imports every one of them, so `RULES` is the complete, explicit list."""

from gate.rules import codegen, interop, lint, semantic, wire
from gate.rules.base import CATEGORIES, RULES, Rule

__all__ = ["CATEGORIES", "RULES", "Rule", "codegen", "interop", "lint", "semantic", "wire"]
