"""Stored rows as the API shows them: schema and version payloads, version lookup, paging.

Plain functions over one store transaction (`Tx`); every resource's operations use them.
"""

from __future__ import annotations

import json
from typing import Any

from registry import errors
from registry.errors import ErrorCode, RegistryError
from registry.storage import SchemaRow, Tx, VersionRow

MAX_VERSION = 2**31 - 1


def encode_json(content: Any) -> bytes:
    """A response body: compact UTF-8 JSON, as the API's response class writes it. A lone
    surrogate (only possible in data stored before they were refused) goes out as its JSON
    escape instead of failing the response."""
    text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode()


def parse_version(value: str | int) -> int | None:
    """Version path segment -> number, or None for "latest"/-1. Raises 42202."""
    text = str(value).strip()
    if text.lower() == "latest" or text == "-1":
        return None
    try:
        number = int(text)
    except ValueError:
        raise errors.invalid_version(text) from None
    if not 1 <= number <= MAX_VERSION:
        raise errors.invalid_version(text)
    return number


def page(items: list[Any], offset: int = 0, limit: int = -1) -> list[Any]:
    """Confluent's paging: a `limit` of 0 or less means no limit."""
    items = items[max(offset, 0) :]
    return items[:limit] if limit is not None and limit > 0 else items


def schema_row(tx: Tx, schema_id: int) -> SchemaRow:
    """The schema row a version row points at (foreign keys guarantee it exists)."""
    row = tx.schema_by_id(schema_id)
    if row is None:  # pragma: no cover - foreign keys make this impossible
        raise RegistryError(ErrorCode.STORE_ERROR, f"Schema {schema_id} is missing from the store")
    return row


def schema_payload(row: SchemaRow) -> dict[str, Any]:
    """A schema as `/schemas/ids/{id}` shows it (without guid)."""
    out: dict[str, Any] = {"schema": row.text}
    if row.schema_type != "AVRO":
        out["schemaType"] = row.schema_type
    if row.refs:
        out["references"] = row.refs
    if row.metadata is not None:
        out["metadata"] = row.metadata
    if row.rule_set is not None:
        out["ruleSet"] = row.rule_set
    return out


def version_payload(tx: Tx, v: VersionRow, with_deleted_flag: bool = False) -> dict[str, Any]:
    """A subject version as `/subjects/{s}/versions/{v}` shows it."""
    row = schema_row(tx, v.schema_id)
    out: dict[str, Any] = {
        "subject": v.subject,
        "version": v.version,
        "id": v.schema_id,
        "guid": row.guid,
    }
    out.update(schema_payload(row))
    if with_deleted_flag:
        out["deleted"] = v.deleted
    return out


def versions_or_404(tx: Tx, subject: str, include_deleted: bool = False) -> list[VersionRow]:
    """The subject's versions, oldest first; 40401 when there are none."""
    rows = tx.versions(subject, include_deleted)
    if not rows:
        raise errors.subject_not_found(subject)
    return rows


def version_row(tx: Tx, subject: str, version: str, include_deleted: bool) -> VersionRow:
    """The row of a version path segment (`latest`, `-1` or a number); 40401/40402/42202."""
    number = parse_version(version)
    rows = versions_or_404(tx, subject, include_deleted)
    if number is None:
        return rows[-1]
    for row in rows:
        if row.version == number:
            return row
    raise errors.version_not_found(number)
