"""`/schemas`: schemas by id and guid, the subjects and versions that use them, all schemas."""

from __future__ import annotations

from typing import Any

from registry import errors
from registry.service.core import RegistryCore
from registry.service.rows import (
    encode_json,
    page,
    schema_payload,
    schema_row,
    version_payload,
)
from registry.storage import VersionRow


class Schemas:
    def __init__(self, core: RegistryCore) -> None:
        self.core = core

    def by_id(
        self, schema_id: int, subject: str | None = None, fetch_max_id: bool = False
    ) -> dict[str, Any]:
        """A schema while any version (soft-deleted included) uses it, else 40403."""
        if not 0 < schema_id < 2**63:
            raise errors.schema_not_found(f"Schema {schema_id} not found")
        tx = self.core.store.reader()
        used_by = tx.versions_by_schema(schema_id, include_deleted=True)
        if not used_by:
            raise errors.schema_not_found(f"Schema {schema_id} not found")
        if subject and not any(v.subject == subject for v in used_by):
            raise errors.schema_not_found(f"Schema {schema_id} not found in subject '{subject}'")
        row = schema_row(tx, schema_id)
        out = {**schema_payload(row), "guid": row.guid}
        if fetch_max_id:
            out["maxId"] = tx.max_schema_id()
        return out

    def cached_by_id(self, schema_id: int) -> bytes | None:
        """The encoded plain `by_id` answer if the read cache has it (no I/O)."""
        return self.core.cache.schema(schema_id)

    def by_id_response(self, schema_id: int) -> bytes:
        """The encoded plain `by_id` answer, from the read cache or the store."""
        cache = self.core.cache
        body = cache.schema(schema_id)
        if body is None:
            generation = cache.generation()
            body = encode_json(self.by_id(schema_id))
            cache.put_schema(generation, schema_id, body)
        return body

    def by_guid(self, guid: str) -> dict[str, Any]:
        schema_id = self.core.store.reader().schema_id_by_guid(guid)
        if schema_id is None:
            raise errors.schema_not_found(f"Schema {guid} not found")
        return self.by_id(schema_id)

    def text_by_id(self, schema_id: int) -> str:
        """`/schemas/ids/{id}/schema`: the schema text itself (compact JSON)."""
        return str(self.by_id(schema_id)["schema"])

    def subjects_by_id(
        self, schema_id: int, subject: str | None, deleted: bool, offset: int, limit: int
    ) -> list[str]:
        self.by_id(schema_id)
        rows = self.core.store.reader().versions_by_schema(schema_id, deleted)
        names = sorted({r.subject for r in rows if not subject or r.subject == subject})
        return page(names, offset, limit)

    def versions_by_id(
        self, schema_id: int, subject: str | None, deleted: bool, offset: int, limit: int
    ) -> list[dict[str, Any]]:
        self.by_id(schema_id)
        rows = self.core.store.reader().versions_by_schema(schema_id, deleted)
        out = [
            {"subject": r.subject, "version": r.version}
            for r in rows
            if not subject or r.subject == subject
        ]
        return page(out, offset, limit)

    def list_schemas(
        self, prefix: str, deleted: bool, latest_only: bool, offset: int, limit: int
    ) -> list[dict[str, Any]]:
        tx = self.core.store.reader()
        rows = tx.all_versions(prefix, deleted)
        if latest_only:
            latest: dict[str, VersionRow] = {}
            for r in rows:
                latest[r.subject] = r
            rows = list(latest.values())
        return page([version_payload(tx, r) for r in rows], offset, limit)
