"""`/subjects`: look up a schema in a subject, list and read versions, delete them.

Registration has its own module (`registration.py`)."""

from __future__ import annotations

from typing import Any

from avrokit import parse_schema
from registry import errors
from registry.contracts import has_properties
from registry.errors import ErrorCode, RegistryError
from registry.service.core import RegistryCore, SchemaInput
from registry.service.identity import Contract, fingerprint, normalized_match
from registry.service.rows import (
    encode_json,
    page,
    parse_version,
    schema_row,
    version_payload,
    version_row,
    versions_or_404,
)


class Subjects:
    def __init__(self, core: RegistryCore) -> None:
        self.core = core

    def lookup(
        self, subject: str, body: SchemaInput, normalize: bool, deleted: bool
    ) -> dict[str, Any]:
        """The latest version of `subject` holding this schema (40403 if none)."""
        tx = self.core.store.reader()
        rows = versions_or_404(tx, subject, deleted)
        parsed, resolved = self.core.parse_input(tx, body, normalize)
        refs = resolved.identity()
        schema_type = body.schema_type.upper()
        canonicals = {parsed.canonical}
        if not normalize:  # also match a copy registered with normalize=true
            normal = parse_schema(parsed.normalized(), parsed.references, validate_defaults=False)
            canonicals.add(normal.canonical)
        contract: Contract | None = (body.metadata, body.rule_set)
        ids: set[int | None] = set()
        for canonical in canonicals:
            if contract == (None, None):  # no contract given: any metadata/ruleSet matches
                ids |= set(tx.schema_ids_by_base(fingerprint(schema_type, canonical, refs)))
            else:
                fp = fingerprint(schema_type, canonical, refs, (body.metadata, body.rule_set))
                ids.add(tx.schema_id_by_fingerprint(fp))
        for row in reversed(rows):
            if row.schema_id in ids:
                return version_payload(tx, row)
        if contract == (None, None):
            contract = None
        same = normalized_match(tx, rows, parsed, resolved.refs, contract) if normalize else None
        if same is not None:
            return version_payload(tx, same)
        raise errors.schema_not_found("Schema not found")

    def latest_with_metadata(
        self, subject: str, wanted: dict[str, str], deleted: bool
    ) -> dict[str, Any]:
        """The latest version whose metadata properties include every wanted key=value."""
        tx = self.core.store.reader()
        for row in reversed(versions_or_404(tx, subject, deleted)):
            if has_properties(schema_row(tx, row.schema_id).metadata, wanted):
                return version_payload(tx, row)
        raise errors.schema_not_found(
            f"No version of subject '{subject}' has metadata properties {wanted}"
        )

    def list_subjects(
        self, prefix: str, deleted: bool, deleted_only: bool, offset: int, limit: int
    ) -> list[str]:
        return page(self.core.store.reader().subjects(prefix, deleted, deleted_only), offset, limit)

    def list_versions(
        self, subject: str, deleted: bool, deleted_only: bool, offset: int, limit: int
    ) -> list[int]:
        rows = versions_or_404(self.core.store.reader(), subject, deleted or deleted_only)
        if deleted_only:
            rows = [r for r in rows if r.deleted]
        return page([r.version for r in rows], offset, limit)

    def get_version(self, subject: str, version: str, deleted: bool) -> dict[str, Any]:
        tx = self.core.store.reader()
        row = version_row(tx, subject, version, deleted)
        return version_payload(tx, row, with_deleted_flag=deleted)

    def cached_version(self, subject: str, version: str, deleted: bool) -> bytes | None:
        """The encoded `get_version` answer if the read cache has it (no I/O); 42202 for a
        version that is not one."""
        return self.core.cache.version(subject, parse_version(version), deleted)

    def version_response(self, subject: str, version: str, deleted: bool) -> bytes:
        """The encoded `get_version` answer, from the read cache or the store."""
        number = parse_version(version)
        cache = self.core.cache
        body = cache.version(subject, number, deleted)
        if body is None:
            generation = cache.generation()
            body = encode_json(self.get_version(subject, version, deleted))
            cache.put_version(generation, subject, number, deleted, body)
        return body

    def get_version_schema(self, subject: str, version: str, deleted: bool) -> str:
        """`.../versions/{v}/schema`: the schema text itself (compact JSON)."""
        tx = self.core.store.reader()
        row = version_row(tx, subject, version, deleted)
        return schema_row(tx, row.schema_id).text

    def referenced_by(self, subject: str, version: str, offset: int, limit: int) -> list[int]:
        tx = self.core.store.reader()
        row = version_row(tx, subject, version, False)
        return page(tx.referenced_by(subject, row.version), offset, limit)

    def delete_subject(self, subject: str, permanent: bool) -> list[int]:
        with self.core.store.writer() as tx:
            self.core.require_writable(tx, subject)
            rows = versions_or_404(tx, subject, include_deleted=True)
            live = [r for r in rows if not r.deleted]
            if permanent and live:
                raise RegistryError(
                    ErrorCode.SUBJECT_NOT_SOFT_DELETED,
                    f"Subject '{subject}' was not deleted first before being permanently deleted",
                )
            if not permanent and not live:
                raise RegistryError(
                    ErrorCode.SUBJECT_SOFT_DELETED,
                    f"Subject '{subject}' was soft deleted. Set permanent=true to delete "
                    "permanently",
                )
            doomed = rows if permanent else live  # Confluent lists only what this call deletes
            for r in doomed:
                users = tx.referenced_by(subject, r.version, include_deleted=permanent)
                _refuse_if_referenced(users, subject, r.version)
            for r in doomed:
                if permanent:
                    tx.hard_delete(subject, r.version)
                else:
                    tx.soft_delete(subject, r.version)
            if permanent:
                tx.delete_setting("config", subject)
                tx.delete_setting("modes", subject)
        self.core.cache.invalidate()
        return [r.version for r in doomed]

    def delete_version(self, subject: str, version: str, permanent: bool) -> int:
        with self.core.store.writer() as tx:
            self.core.require_writable(tx, subject)
            number = parse_version(version)
            earlier = tx.version(subject, number) if number is not None and not permanent else None
            if earlier is not None and earlier.deleted:
                raise RegistryError(
                    ErrorCode.SCHEMAVERSION_SOFT_DELETED,
                    f"Subject '{subject}' Version {number} was soft deleted. Set permanent=true to "
                    f"delete permanently",
                )
            row = version_row(tx, subject, version, include_deleted=permanent)
            if permanent and not row.deleted:
                raise RegistryError(
                    ErrorCode.SCHEMAVERSION_NOT_SOFT_DELETED,
                    f"Subject '{subject}' Version {row.version} was not deleted first before being "
                    f"permanently deleted",
                )
            users = tx.referenced_by(subject, row.version, include_deleted=permanent)
            _refuse_if_referenced(users, subject, row.version)
            if permanent:
                tx.hard_delete(subject, row.version)
            else:
                tx.soft_delete(subject, row.version)
        self.core.cache.invalidate()
        return row.version


def _refuse_if_referenced(users: list[int], subject: str, version: int) -> None:
    """42206 when schemas still reference subject/version: live ones block any delete, soft-deleted
    ones a permanent delete (their ids are still served, and must keep what they reference)."""
    if users:
        raise RegistryError(
            ErrorCode.REFERENCE_EXISTS,
            f"One or more references exist to the schema {{subject={subject}, "
            f"version={version}}}: used by schema ids {users}",
        )
