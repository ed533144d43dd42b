"""Schema identity: the fingerprint that decides whether two registrations are the same schema
(and so share an id), the guid derived from it, and the match of a normalized schema."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

from avrokit import ParsedSchema, normalize_schema_text
from registry.service.rows import schema_row
from registry.storage import Tx, VersionRow

# A schema's data contract: (metadata, ruleSet), each None when absent.
Contract = tuple[dict[str, Any] | None, dict[str, Any] | None]
NO_CONTRACT: Contract = (None, None)


def fingerprint(
    schema_type: str,
    canonical: str,
    refs: Sequence[dict[str, Any]],
    contract: Contract = NO_CONTRACT,
) -> str:
    """Schema identity. Without metadata/ruleSet the key is the pre-data-contract one, so ids and
    guids of older data dirs stay valid."""
    parts: list[Any] = [schema_type, canonical, list(refs)]
    if contract != NO_CONTRACT:
        parts += list(contract)
    key = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(key.encode()).hexdigest()


def guid_of(schema_fingerprint: str) -> str:
    """The schema's guid: a UUIDv5 of its fingerprint."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "schema:" + schema_fingerprint))


def normalized_match(
    tx: Tx,
    rows: list[VersionRow],
    parsed: ParsedSchema,
    refs: list[dict[str, Any]],
    contract: Contract | None,
) -> VersionRow | None:
    """The latest of `rows` whose schema normalizes to `parsed` (already normalized) and has
    this contract (`None`: any contract): `normalize=true` finds versions registered without it."""
    for row in reversed(rows):
        stored = schema_row(tx, row.schema_id)
        if contract is not None and (stored.metadata, stored.rule_set) != contract:
            continue
        if stored.refs == refs and normalize_schema_text(stored.text) == parsed.canonical:
            return row
    return None
