"""`POST /subjects/{s}/versions`: register a schema under a subject (or find it registered)."""

from __future__ import annotations

import json
from typing import Any

from avrokit import CompatibilityLevel
from registry import errors
from registry.contracts import check_rule_set
from registry.errors import ErrorCode, RegistryError
from registry.service.core import RegistryCore, SchemaInput, describe
from registry.service.identity import Contract, fingerprint, guid_of, normalized_match
from registry.service.rows import MAX_VERSION, schema_row
from registry.storage import Tx, VersionRow

MAX_SCHEMA_ID = 2**31 - 1  # ids travel in 4 bytes after the magic byte


class Registration:
    def __init__(self, core: RegistryCore) -> None:
        self.core = core

    def register(self, subject: str, body: SchemaInput, normalize: bool = False) -> dict[str, Any]:
        core = self.core
        with core.store.writer() as tx:
            mode = core.require_writable(tx, subject)
            if (body.id is not None or body.version is not None) and mode != "IMPORT":
                raise errors.operation_not_permitted(
                    f"Subject {subject} is not in import mode: no schema id or version may be given"
                )
            parsed, resolved = core.parse_input(tx, body, normalize)
            check_rule_set(body.rule_set)
            schema_type = body.schema_type.upper()
            base = fingerprint(schema_type, parsed.canonical, resolved.identity())
            live = tx.versions(subject)
            if body.metadata is None and body.rule_set is None:
                # Without a contract, the latest version with this schema text is a match.
                ids = tx.schema_ids_by_base(base)
                same = next((v for v in reversed(live) if v.schema_id in ids), None)
                if same is not None and body.id in (None, same.schema_id):
                    return {"id": same.schema_id}
            contract = _inherit_contract(tx, body, live)
            schema_fingerprint = fingerprint(
                schema_type, parsed.canonical, resolved.identity(), contract
            )
            existing = tx.schema_id_by_fingerprint(schema_fingerprint)
            if existing is not None and body.id not in (None, existing):
                raise errors.operation_not_permitted(
                    f"Schema already registered with id {existing}; cannot import as id {body.id}"
                )
            if existing is not None and any(v.schema_id == existing for v in live):
                return {"id": existing}
            if normalize:  # an equivalent schema registered without normalize=true
                match = normalized_match(tx, live, parsed, resolved.refs, contract)
                if match is not None:
                    return {"id": match.schema_id}
            if mode != "IMPORT" and live:
                level = CompatibilityLevel(core.effective(tx, "config", subject))
                found = core.incompatibilities(tx, parsed, live, level)
                if found:
                    raise RegistryError(
                        ErrorCode.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for "
                        f'subject "{subject}", details: ' + json.dumps(describe(found)),
                    )
            version = body.version if body.version is not None else tx.next_version(subject)
            if version > MAX_VERSION:
                raise errors.operation_not_permitted(
                    f"Subject {subject} has a version {MAX_VERSION}, the largest a version can "
                    "be: no later version can be registered"
                )
            if body.version is not None and tx.version(subject, body.version) is not None:
                raise errors.operation_not_permitted(
                    f"Version {body.version} of {subject} already exists"
                )
            schema_id = existing
            if schema_id is None:
                schema_id = _new_schema_id(tx, body.id)
                tx.insert_schema(
                    schema_fingerprint,
                    schema_type,
                    parsed.text,
                    resolved.refs,
                    guid_of(schema_fingerprint),
                    schema_id,
                    base,
                    *contract,
                )
            tx.insert_version(subject, version, schema_id)
        core.cache.invalidate()
        return {"id": schema_id}


def _new_schema_id(tx: Tx, wanted: int | None) -> int:
    """The id of a new schema: the imported one if free, else the next free one; every id fits
    the wire format's 4 bytes (42205 when none is left)."""
    if wanted is not None:
        if tx.schema_by_id(wanted) is not None:
            raise errors.operation_not_permitted(
                f"Overwrite new schema with id {wanted} is not permitted: the id is taken"
            )
        return wanted
    schema_id = tx.free_schema_id(MAX_SCHEMA_ID)
    if schema_id is None:
        raise errors.operation_not_permitted(f"No schema id left (the largest is {MAX_SCHEMA_ID})")
    return schema_id


def _inherit_contract(tx: Tx, body: SchemaInput, live: list[VersionRow]) -> Contract:
    """Confluent's rule: metadata or ruleSet left out of a registration is carried over from
    the subject's latest version."""
    metadata, rule_set = body.metadata, body.rule_set
    if live and (metadata is None or rule_set is None):
        previous = schema_row(tx, live[-1].schema_id)
        metadata = previous.metadata if metadata is None else metadata
        rule_set = previous.rule_set if rule_set is None else rule_set
    return metadata, rule_set
