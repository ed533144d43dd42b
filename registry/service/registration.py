"""`POST /subjects/{s}/versions`: register a schema under a subject (or find it registered).

The costly steps (parsing, validating, checking compatibility against the subject's history)
run before the write lock is taken, against the state read then. Under the lock, only what may
have changed meanwhile is looked at again: the references' targets (if any changed, the schema
is parsed again) and the versions the check was made against (if any changed, the check runs
again). The lock is held for the id/version assignment and the write itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from avrokit import CompatibilityLevel, ParsedSchema
from avrokit.compatibility import Incompatibility
from registry import errors
from registry.contracts import check_rule_set
from registry.errors import ErrorCode, RegistryError
from registry.service.core import RegistryCore, SchemaInput, describe
from registry.service.identity import Contract, fingerprint, guid_of, normalized_match
from registry.service.references import ResolvedReferences, resolve_targets
from registry.service.rows import MAX_VERSION, schema_row
from registry.storage import Tx, VersionRow

MAX_SCHEMA_ID = 2**31 - 1  # ids travel in 4 bytes after the magic byte


@dataclass(frozen=True)
class _Parsed:
    """A request's schema, parsed and validated, with its references resolved."""

    parsed: ParsedSchema
    resolved: ResolvedReferences
    schema_type: str


@dataclass(frozen=True)
class _Verdict:
    """Compatibility findings against the versions (and at the level) they were checked at."""

    checked: tuple[CompatibilityLevel, tuple[tuple[int, int], ...]]
    found: list[Incompatibility]


class Registration:
    def __init__(self, core: RegistryCore) -> None:
        self.core = core

    def register(self, subject: str, body: SchemaInput, normalize: bool = False) -> dict[str, Any]:
        core = self.core
        reader = core.store.reader()
        self._check_mode(reader, subject, body)  # fail fast; checked again under the lock
        schema = self._parse(reader, body, normalize)
        verdict = self._check(reader, subject, schema.parsed)
        with core.store.writer() as tx:
            mode = self._check_mode(tx, subject, body)
            if resolve_targets(tx, body.references) != schema.resolved.targets():
                schema = self._parse(tx, body, normalize)  # a reference changed meanwhile
            parsed, resolved = schema.parsed, schema.resolved
            base = fingerprint(schema.schema_type, parsed.canonical, resolved.identity())
            live = tx.versions(subject)
            if body.metadata is None and body.rule_set is None:
                # Without a contract, the latest version with this schema text is a match.
                ids = tx.schema_ids_by_base(base)
                same = next((v for v in reversed(live) if v.schema_id in ids), None)
                if same is not None and body.id in (None, same.schema_id):
                    return {"id": same.schema_id}
            contract = _inherit_contract(tx, body, live)
            schema_fingerprint = fingerprint(
                schema.schema_type, parsed.canonical, resolved.identity(), contract
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
                self._refuse_if_incompatible(tx, subject, parsed, live, verdict)
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
                    schema.schema_type,
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

    def _check_mode(self, tx: Tx, subject: str, body: SchemaInput) -> str:
        mode = self.core.require_writable(tx, subject)
        if (body.id is not None or body.version is not None) and mode != "IMPORT":
            raise errors.operation_not_permitted(
                f"Subject {subject} is not in import mode: no schema id or version may be given"
            )
        return mode

    def _parse(self, tx: Tx, body: SchemaInput, normalize: bool) -> _Parsed:
        parsed, resolved = self.core.parse_input(tx, body, normalize)
        check_rule_set(body.rule_set)
        return _Parsed(parsed, resolved, body.schema_type.upper())

    def _check(self, tx: Tx, subject: str, parsed: ParsedSchema) -> _Verdict | None:
        """Compatibility against the history as it is now (None when none is needed now)."""
        live = tx.versions(subject)
        if not live or self.core.effective(tx, "modes", subject) == "IMPORT":
            return None
        level = CompatibilityLevel(self.core.effective(tx, "config", subject))
        try:
            found = self.core.incompatibilities(tx, parsed, live, level)
        except RegistryError:
            return None  # answered under the lock, if the registration gets that far
        return _Verdict(_checked_against(level, live), found)

    def _refuse_if_incompatible(
        self,
        tx: Tx,
        subject: str,
        parsed: ParsedSchema,
        live: list[VersionRow],
        verdict: _Verdict | None,
    ) -> None:
        """409 if `parsed` breaks the subject's level: the verdict reached outside the lock if
        it was reached against these versions at this level, else a check now."""
        level = CompatibilityLevel(self.core.effective(tx, "config", subject))
        if verdict is not None and verdict.checked == _checked_against(level, live):
            found = verdict.found
        else:
            found = self.core.incompatibilities(tx, parsed, live, level)
        if found:
            raise RegistryError(
                ErrorCode.INCOMPATIBLE_SCHEMA,
                "Schema being registered is incompatible with an earlier schema for "
                f'subject "{subject}", details: ' + json.dumps(describe(found)),
            )


def _checked_against(
    level: CompatibilityLevel, live: list[VersionRow]
) -> tuple[CompatibilityLevel, tuple[tuple[int, int], ...]]:
    targets = live if level.transitive else live[-1:]
    return level, tuple((v.version, v.schema_id) for v in targets)


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
