"""What every resource's operations share: the store, the read cache, the request body of a
schema, and the steps that need both (parsing a request's schema against its references, parsed
history, effective config and mode, compatibility against history)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from avrokit import (
    CompatibilityLevel,
    InvalidSchema,
    ParsedSchema,
    check_compatibility,
    normalize_schema_text,
    parse_schema,
)
from avrokit.compatibility import Incompatibility
from registry import errors
from registry.errors import ErrorCode, RegistryError
from registry.limits import MAX_ERROR_MESSAGE_CHARS, SCHEMA_LIMITS, fit_messages
from registry.service.cache import ReadCache
from registry.service.identity import upgrade_reference_fingerprints
from registry.service.references import ResolvedReferences, resolve_references
from registry.service.rows import schema_row
from registry.storage import GLOBAL, Storage, Tx, VersionRow

DEFAULT_COMPATIBILITY = CompatibilityLevel.BACKWARD
DEFAULT_MODE = "READWRITE"
MODES = ("READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT")
SCHEMA_TYPES = ("AVRO",)


@dataclass(frozen=True)
class SchemaInput:
    """The body of a register / lookup / compatibility request."""

    schema: str
    schema_type: str = "AVRO"
    references: tuple[dict[str, Any], ...] = ()
    id: int | None = None
    version: int | None = None
    metadata: dict[str, Any] | None = None
    rule_set: dict[str, Any] | None = None


class RegistryCore:
    """The store and the read cache, plus the steps several resources need."""

    def __init__(self, storage: Storage) -> None:
        self.store = storage
        self.cache = ReadCache(store_generation=storage.generation if storage.shared else None)
        upgrade_reference_fingerprints(storage)

    def parse_input(
        self, tx: Tx, body: SchemaInput, normalize: bool
    ) -> tuple[ParsedSchema, ResolvedReferences]:
        """The request's schema, strictly parsed against its references (42201 or a limit's
        code), and the references resolved."""
        if body.schema_type not in SCHEMA_TYPES:  # case-sensitive, as Confluent's providers
            raise errors.invalid_schema(
                f"Invalid schema type '{body.schema_type}': only AVRO is supported"
            )
        resolved = resolve_references(tx, body.references)
        try:
            parsed = parse_schema(body.schema, resolved.texts, limits=SCHEMA_LIMITS)
            if normalize:
                parsed = parse_schema(normalize_schema_text(parsed.text), resolved.texts)
        except InvalidSchema as exc:
            raise errors.refused_schema(exc) from None
        return parsed, resolved

    def parsed(self, tx: Tx, schema_id: int) -> ParsedSchema:
        """A stored schema, parsed (once per process: an id never changes meaning)."""
        cached = self.cache.parsed(schema_id)
        if cached is None:
            row = schema_row(tx, schema_id)
            texts = resolve_references(tx, row.refs).texts
            try:
                cached = parse_schema(row.text, texts, validate_defaults=False, limits=None)
            except InvalidSchema as exc:  # stored before the limits: too deep to walk now
                exc.reason = f"Schema {schema_id}, registered earlier: {exc.reason}"
                raise errors.refused_schema(exc) from None
            self.cache.put_parsed(schema_id, cached)
        return cached

    @staticmethod
    def effective(tx: Tx, table: str, subject: str | None) -> str:
        """The subject's own config/mode, else the global one, else the default."""
        value = tx.get_setting(table, subject) if subject is not None else None
        if value is None:
            value = tx.get_setting(table, GLOBAL)
        return value or (str(DEFAULT_COMPATIBILITY) if table == "config" else DEFAULT_MODE)

    def require_writable(self, tx: Tx, subject: str) -> str:
        """The subject's effective mode; 42205 when it is read-only."""
        mode = self.effective(tx, "modes", subject)
        if mode in ("READONLY", "READONLY_OVERRIDE"):
            raise errors.operation_not_permitted(f"Subject {subject} is in read-only mode")
        return mode

    def incompatibilities(
        self,
        tx: Tx,
        parsed: ParsedSchema,
        previous: list[VersionRow],
        level: CompatibilityLevel,
    ) -> list[Incompatibility]:
        """What `parsed` breaks against the latest of `previous` (every one when transitive)."""
        targets = previous if level.transitive else previous[-1:]
        history = [(v.version, self.parsed(tx, v.schema_id)) for v in targets]
        return checked(parsed, history, level)


def checked(
    parsed: ParsedSchema,
    history: Sequence[tuple[int | None, ParsedSchema]],
    level: CompatibilityLevel,
) -> list[Incompatibility]:
    """`check_compatibility`, with a walk too deep for the stack (references nest types
    further than one document's limit) answered as the nesting limit (42291)."""
    try:
        return check_compatibility(parsed, history, level)
    except RecursionError:
        raise RegistryError(
            ErrorCode.SCHEMA_NESTING_TOO_DEEP,
            "Schema nesting too deep (with its references) to check compatibility",
        ) from None


def describe(found: list[Incompatibility]) -> list[str]:
    """The findings as messages, as many as fit in the limit on error messages (less room for
    the 409's own words and JSON quoting, so its list is never cut in the middle)."""
    budget = MAX_ERROR_MESSAGE_CHARS - 1024
    return fit_messages((i.describe() for i in found), len(found), budget)
