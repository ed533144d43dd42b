"""Schema identity: the fingerprint that decides whether two registrations are the same schema
(and so share an id), the guid derived from it, the match of a normalized schema, and the
migrations of older data dirs' fingerprints.

An id denotes one schema text with one resolution of its references: the fingerprint holds the
schema ids the references resolve to, and a version that a stored schema references cannot be
deleted for good while that schema is served (42206).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

from avrokit import ParsedSchema, canonical_json, normalize_schema_text, reduce_primitives
from registry.service.rows import schema_row
from registry.storage import Storage, Tx, VersionRow

# A schema's data contract: (metadata, ruleSet), each None when absent.
Contract = tuple[dict[str, Any] | None, dict[str, Any] | None]
NO_CONTRACT: Contract = (None, None)


def fingerprint(
    schema_type: str,
    canonical: str,
    refs: Sequence[dict[str, Any]],
    contract: Contract = NO_CONTRACT,
) -> str:
    """Schema identity. `refs` are the references with the schema id each resolves to
    (`ResolvedReferences.identity`). Without metadata/ruleSet the key is the pre-data-contract one,
    so ids and guids of older data dirs stay valid."""
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


REDUCED_PRIMITIVES = 1  # data version: fingerprints read primitives as Avro does
REFERENCE_IDS = 2  # data version: fingerprints hold the schema ids references resolve to


def rekey_reduced_primitives(storage: Storage) -> None:
    """Once per data dir: a schema stored with a primitive that Avro reads as a bare name (e.g.
    `{"type": "int"}`) gets the fingerprint its text has today, so registering or looking up the
    same schema finds its id. Text, id and guid stay; if another id already holds that identity,
    both stay (each keeps decoding what it was written with)."""
    with storage.writer() as tx:
        if tx.data_version() >= REDUCED_PRIMITIVES:
            return
        for schema_id, schema_type, text, refs, metadata, rule_set, current in tx.identities():
            obj = json.loads(text)
            reduced = reduce_primitives(obj)
            if reduced == obj:
                continue
            canonical = canonical_json(reduced)
            new = fingerprint(schema_type, canonical, refs, (metadata, rule_set))
            if new != current and tx.schema_id_by_fingerprint(new) is None:
                tx.set_fingerprints(schema_id, new, fingerprint(schema_type, canonical, refs))
        tx.set_data_version(REDUCED_PRIMITIVES)


def upgrade_reference_fingerprints(storage: Storage) -> None:
    """Once per data dir from before fingerprints held what references resolve to: give every
    schema with references the fingerprint it gets now (ids and guids unchanged). A row whose
    referenced version is gone, or whose new identity another id already holds, keeps its old
    fingerprint, which no new registration matches."""
    with storage.writer() as tx:
        if tx.data_version() >= REFERENCE_IDS:
            return
        for schema_id, schema_type, text, refs, metadata, rule_set, _ in tx.identities():
            targets = [tx.version(ref["subject"], ref["version"]) for ref in refs]
            if not refs or any(target is None for target in targets):
                continue
            resolved = [
                {**ref, "id": t.schema_id} for ref, t in zip(refs, targets, strict=True) if t
            ]
            canonical = canonical_json(reduce_primitives(json.loads(text)))
            new = fingerprint(schema_type, canonical, resolved, (metadata, rule_set))
            if tx.schema_id_by_fingerprint(new) is None:
                tx.set_fingerprints(schema_id, new, fingerprint(schema_type, canonical, resolved))
        tx.set_data_version(REFERENCE_IDS)
