"""Schema references: check a request's references and gather what they resolve to.

A reference names a subject version (`latest` / -1 allowed); it resolves to that version's
schema, whose own references resolve in turn. The texts come dependencies first, as
`parse_schema` wants. The schema ids the references resolve to are part of the referring schema's
identity (`ResolvedReferences.identity`), so an id never comes to mean other referenced schemas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from registry import errors
from registry.errors import RegistryError
from registry.service.rows import parse_version, schema_row
from registry.storage import Tx, VersionRow


@dataclass(frozen=True)
class ResolvedReferences:
    refs: list[dict[str, Any]] = field(default_factory=list)  # name, subject, resolved version
    schema_ids: list[int] = field(default_factory=list)  # the schema each reference resolves to
    texts: list[str] = field(default_factory=list)  # every text they bring, dependencies first

    def identity(self) -> list[dict[str, Any]]:
        """The references as the fingerprint sees them: with the schema each resolves to."""
        return [{**ref, "id": i} for ref, i in zip(self.refs, self.schema_ids, strict=True)]

    def targets(self) -> list[tuple[str, int, int]]:
        """(subject, version, schema id) of each reference: what `resolve_targets` compares."""
        return [
            (ref["subject"], ref["version"], i)
            for ref, i in zip(self.refs, self.schema_ids, strict=True)
        ]


def resolve_references(tx: Tx, refs: Sequence[dict[str, Any]]) -> ResolvedReferences:
    """Check references and resolve them. Raises 42201 for a malformed or unresolvable one."""
    resolved = ResolvedReferences()
    rows = _rows(tx, refs)
    for ref, row in zip(refs, rows, strict=True):
        resolved.refs.append({"name": ref["name"], "subject": row.subject, "version": row.version})
        resolved.schema_ids.append(row.schema_id)
    resolved.texts.extend(_texts(tx, rows))
    return resolved


def resolve_targets(tx: Tx, refs: Sequence[dict[str, Any]]) -> list[tuple[str, int, int]] | None:
    """(subject, version, schema id) of each reference as the store resolves it now (None if
    one does not resolve): cheap, no texts read. A resolved reference's own references cannot
    change (a referenced version cannot be deleted while referenced), so this is enough to tell
    whether `resolve_references` would still give the same result."""
    try:
        return [(row.subject, row.version, row.schema_id) for row in _rows(tx, refs)]
    except RegistryError:
        return None


def _rows(tx: Tx, refs: Sequence[dict[str, Any]]) -> list[VersionRow]:
    rows = []
    for ref in refs:
        if not isinstance(ref, dict) or not all(
            isinstance(ref.get(k), str) for k in ("name", "subject")
        ):
            raise errors.invalid_schema(
                f"Invalid schema reference {ref!r}: needs name, subject, version"
            )
        rows.append(_resolve(tx, ref["name"], ref["subject"], ref.get("version", -1)))
    return rows


def _resolve(tx: Tx, name: str, subject: str, raw_version: Any) -> VersionRow:
    if isinstance(raw_version, bool) or not isinstance(raw_version, (int, str)):
        raise errors.invalid_schema(f"Invalid version in schema reference '{name}'")
    try:
        number = parse_version(raw_version)
    except RegistryError:
        raise errors.invalid_schema(f"Invalid version in schema reference '{name}'") from None
    live = tx.versions(subject)
    row = (live[-1] if live else None) if number is None else tx.version(subject, number)
    if row is None or row.deleted:
        raise errors.invalid_schema(
            f"Invalid schema reference '{name}': subject '{subject}' version {raw_version} "
            "not found"
        )
    return row


def _texts(tx: Tx, roots: list[VersionRow]) -> list[str]:
    """The texts of `roots` and of everything they reference, each version once, dependencies
    first. Iterative: a chain of references is as long as clients make it."""
    texts: list[str] = []
    seen: set[tuple[str, int]] = set()
    # (a version to visit, None) or (None, its text once its dependencies are in `texts`)
    stack: list[tuple[VersionRow | None, str | None]] = [(row, None) for row in reversed(roots)]
    while stack:
        row, text = stack.pop()
        if row is None:
            texts.append(str(text))
            continue
        if (row.subject, row.version) in seen:
            continue
        seen.add((row.subject, row.version))
        target = schema_row(tx, row.schema_id)
        stack.append((None, target.text))
        for ref in reversed(target.refs):
            stack.append((_resolve(tx, ref["name"], ref["subject"], ref["version"]), None))
    return texts
