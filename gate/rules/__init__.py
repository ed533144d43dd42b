"""The gate's rules, by category. Importing this package registers every rule in `RULES`."""

from gate.rules import codegen, lint, semantic, wire
from gate.rules.base import CATEGORIES, RULES, Rule

__all__ = ["CATEGORIES", "RULES", "Rule", "codegen", "lint", "semantic", "wire"]
