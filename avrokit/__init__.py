"""One home for what the registry, the gate and codegen all need of Avro and of the contracts.

- `avrokit.schema`: strict parsing (`parse_schema` -> `ParsedSchema`, `InvalidSchema`), primitives
  read as Avro reads them (`reduce_primitives`), canonical and normalized forms, compact JSON;
- `avrokit.compatibility`: the resolution walk behind every compatibility verdict;
- `avrokit.levels`: `CompatibilityLevel`, as Confluent names them;
- `avrokit.names`: primitive and named type names, full-name resolution;
- `avrokit.catalog`: `contracts/catalog.yaml` and the `.avsc` files it names.
"""

from avrokit.compatibility import Incompatibility, check_compatibility
from avrokit.levels import CompatibilityLevel
from avrokit.schema import (
    InvalidSchema,
    ParsedSchema,
    canonical_json,
    compact_json,
    normalize_schema_text,
    parse_schema,
    reduce_primitives,
)

__all__ = [
    "CompatibilityLevel",
    "Incompatibility",
    "InvalidSchema",
    "ParsedSchema",
    "canonical_json",
    "check_compatibility",
    "compact_json",
    "normalize_schema_text",
    "parse_schema",
    "reduce_primitives",
]
