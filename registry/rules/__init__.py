"""Schema rules shared by the registry server and the CI compatibility gate.

Public API: `CompatibilityLevel`, `parse_schema`/`ParsedSchema`/`InvalidSchema`,
`check_compatibility`/`Incompatibility`.
"""

from registry.rules.compatibility import Incompatibility, check_compatibility
from registry.rules.levels import CompatibilityLevel
from registry.rules.schema import InvalidSchema, ParsedSchema, normalize_schema_text, parse_schema

__all__ = [
    "CompatibilityLevel",
    "Incompatibility",
    "InvalidSchema",
    "ParsedSchema",
    "check_compatibility",
    "normalize_schema_text",
    "parse_schema",
]
