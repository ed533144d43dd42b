"""Schema references: check a request's references and gather the texts they bring in.

A reference names a subject version (`latest` / -1 allowed); it resolves to that version's schema,
whose own references resolve in turn. The texts come dependencies first, as `parse_schema` wants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry import errors
from registry.errors import RegistryError
from registry.service.rows import parse_version, schema_row
from registry.storage import Tx


def resolve_references(
    tx: Tx, refs: Sequence[dict[str, Any]], seen: set[tuple[str, int]] | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Check references and return them (versions resolved) plus the texts they bring,
    dependencies first. Raises 42201 for a malformed or unresolvable reference."""
    seen = set() if seen is None else seen
    resolved: list[dict[str, Any]] = []
    texts: list[str] = []
    for ref in refs:
        if not isinstance(ref, dict) or not all(
            isinstance(ref.get(k), str) for k in ("name", "subject")
        ):
            raise errors.invalid_schema(
                f"Invalid schema reference {ref!r}: needs name, subject, version"
            )
        subject, raw_version = ref["subject"], ref.get("version", -1)
        if isinstance(raw_version, bool) or not isinstance(raw_version, (int, str)):
            raise errors.invalid_schema(f"Invalid version in schema reference '{ref['name']}'")
        try:
            number = parse_version(raw_version)
        except RegistryError:
            raise errors.invalid_schema(
                f"Invalid version in schema reference '{ref['name']}'"
            ) from None
        live = tx.versions(subject)
        row = (live[-1] if live else None) if number is None else tx.version(subject, number)
        if row is None or row.deleted:
            raise errors.invalid_schema(
                f"Invalid schema reference '{ref['name']}': subject '{subject}' version "
                f"{raw_version} not found"
            )
        resolved.append({"name": ref["name"], "subject": subject, "version": row.version})
        if (subject, row.version) in seen:
            continue
        seen.add((subject, row.version))
        target = schema_row(tx, row.schema_id)
        _, nested = resolve_references(tx, target.refs, seen)
        texts += nested + [target.text]
    return resolved, texts
