"""One home for what the registry, the gate and codegen all need of Avro and of the contracts.

- `avrokit.schema`: strict parsing (`parse_schema` -> `ParsedSchema`), primitives read as Avro
  reads them (`reduce_primitives`), canonical and normalized forms, compact JSON;
  `avrokit.errors`: `InvalidSchema`, `LimitExceeded`;
- `avrokit.limits`: `SchemaLimits` (depth, fields per record, union branches, valid text),
  checked before anything walks a schema recursively;
- `avrokit.compatibility`: the resolution walk behind every compatibility verdict;
- `avrokit.levels`: `CompatibilityLevel`, as Confluent names them;
- `avrokit.names`: primitive and named type names, full-name resolution;
- `avrokit.catalog`: `contracts/catalog.yaml` and the `.avsc` files it names.
"""

from avrokit.compatibility import Incompatibility, check_compatibility
from avrokit.errors import InvalidSchema, LimitExceeded
from avrokit.levels import CompatibilityLevel
from avrokit.limits import SchemaLimits
from avrokit.schema import (
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
    "LimitExceeded",
    "ParsedSchema",
    "SchemaLimits",
    "canonical_json",
    "check_compatibility",
    "compact_json",
    "normalize_schema_text",
    "parse_schema",
    "reduce_primitives",
]
