"""The registry's use cases (Karapace's "controller"): every REST operation as one method.

Routers parse HTTP and call these; these raise `RegistryError` with Confluent's error codes.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
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
from registry.contracts import check_rule_set, has_properties
from registry.errors import ErrorCode, RegistryError
from registry.storage import GLOBAL, SchemaRow, Storage, Tx, VersionRow

DEFAULT_COMPATIBILITY = CompatibilityLevel.BACKWARD
DEFAULT_MODE = "READWRITE"
MODES = ("READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT")
SCHEMA_TYPES = ("AVRO",)
MAX_VERSION = 2**31 - 1


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


# A schema's data contract: (metadata, ruleSet), each None when absent.
Contract = tuple[dict[str, Any] | None, dict[str, Any] | None]


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


def _fingerprint(
    schema_type: str,
    canonical: str,
    refs: Sequence[dict[str, Any]],
    contract: Contract = (None, None),
) -> str:
    """Schema identity. Without metadata/ruleSet the key is the pre-data-contract one, so ids and
    guids of older data dirs stay valid."""
    parts: list[Any] = [schema_type, canonical, list(refs)]
    if contract != (None, None):
        parts += list(contract)
    key = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(key.encode()).hexdigest()


class Registry:
    def __init__(self, storage: Storage) -> None:
        self.store = storage
        self._parsed: dict[int, ParsedSchema] = {}
        self._by_id: dict[int, dict[str, Any]] = {}  # visible schema payloads by id
        self._reads: dict[tuple[Any, ...], Any] = {}  # read results, dropped on every write
        self._generation = 0  # bumped after every write, so a racing read never caches stale data
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------------ helpers
    def _schema_row(self, tx: Tx, schema_id: int) -> SchemaRow:
        row = tx.schema_by_id(schema_id)
        if row is None:  # pragma: no cover - foreign keys make this impossible
            raise RegistryError(
                ErrorCode.STORE_ERROR, f"Schema {schema_id} is missing from the store"
            )
        return row

    def _resolve_refs(
        self, tx: Tx, refs: Sequence[dict[str, Any]], seen: set[tuple[str, int]] | None = None
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """Check references and return them (versions resolved) plus the texts they bring,
        dependencies first."""
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
            target = self._schema_row(tx, row.schema_id)
            _, nested = self._resolve_refs(tx, target.refs, seen)
            texts += nested + [target.text]
        return resolved, texts

    def _parse_input(
        self, tx: Tx, body: SchemaInput, normalize: bool
    ) -> tuple[ParsedSchema, list[dict[str, Any]]]:
        if body.schema_type.upper() not in SCHEMA_TYPES:
            raise errors.invalid_schema(
                f"Invalid schema type '{body.schema_type}': only AVRO is supported"
            )
        refs, texts = self._resolve_refs(tx, body.references)
        try:
            parsed = parse_schema(body.schema, texts)
            if normalize:
                parsed = parse_schema(normalize_schema_text(parsed.text), texts)
        except InvalidSchema as exc:
            raise errors.invalid_schema(exc.reason) from None
        return parsed, refs

    def parsed(self, tx: Tx, schema_id: int) -> ParsedSchema:
        cached = self._parsed.get(schema_id)
        if cached is None:
            row = self._schema_row(tx, schema_id)
            _, texts = self._resolve_refs(tx, row.refs)
            cached = parse_schema(row.text, texts, validate_defaults=False)
            with self._cache_lock:
                self._parsed[schema_id] = cached
        return cached

    def _effective(self, tx: Tx, table: str, subject: str | None) -> str:
        value = tx.get_setting(table, subject) if subject is not None else None
        if value is None:
            value = tx.get_setting(table, GLOBAL)
        return value or (str(DEFAULT_COMPATIBILITY) if table == "config" else DEFAULT_MODE)

    def _require_writable(self, tx: Tx, subject: str) -> str:
        mode = self._effective(tx, "modes", subject)
        if mode in ("READONLY", "READONLY_OVERRIDE"):
            raise errors.operation_not_permitted(f"Subject {subject} is in read-only mode")
        return mode

    @staticmethod
    def _payload(row: SchemaRow) -> dict[str, Any]:
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

    def _version_payload(
        self, tx: Tx, v: VersionRow, with_deleted_flag: bool = False
    ) -> dict[str, Any]:
        row = self._schema_row(tx, v.schema_id)
        out: dict[str, Any] = {
            "subject": v.subject,
            "version": v.version,
            "id": v.schema_id,
            "guid": row.guid,
        }
        out.update(self._payload(row))
        if with_deleted_flag:
            out["deleted"] = v.deleted
        return out

    def _live_or_404(self, tx: Tx, subject: str, include_deleted: bool = False) -> list[VersionRow]:
        rows = tx.versions(subject, include_deleted)
        if not rows:
            raise errors.subject_not_found(subject)
        return rows

    def _get_version_row(
        self, tx: Tx, subject: str, version: str, include_deleted: bool
    ) -> VersionRow:
        number = parse_version(version)
        rows = self._live_or_404(tx, subject, include_deleted)
        if number is None:
            return rows[-1]
        for row in rows:
            if row.version == number:
                return row
        raise errors.version_not_found(number)

    def _incompatibilities(
        self,
        tx: Tx,
        subject: str,
        parsed: ParsedSchema,
        previous: list[VersionRow],
        level: CompatibilityLevel,
    ) -> list[Incompatibility]:
        targets = previous if level.transitive else previous[-1:]
        history = [(v.version, self.parsed(tx, v.schema_id)) for v in targets]
        return check_compatibility(parsed, history, level)

    def _invalidate(self) -> None:
        with self._cache_lock:
            self._generation += 1
            self._by_id.clear()
            self._reads.clear()

    def cached_read(self, key: tuple[Any, ...]) -> Any | None:
        """A cached result of `read(key)`, if any (lets async routes skip the thread pool)."""
        return self._reads.get(key)

    def read(self, key: tuple[Any, ...]) -> Any:
        """Cached reads of immutable-between-writes results: ("version", subject, version, deleted)
        and ("id", schema_id)."""
        hit = self._reads.get(key)
        if hit is not None:
            return hit
        generation = self._generation
        if key[0] == "version":
            value: Any = self.get_version(key[1], key[2], key[3])
        else:
            value = self.schema_by_id(key[1])
        with self._cache_lock:
            if generation == self._generation and len(self._reads) < 100_000:
                self._reads[key] = value
        return value

    # ------------------------------------------------------------------ subjects
    def register(self, subject: str, body: SchemaInput, normalize: bool = False) -> dict[str, Any]:
        with self.store.writer() as tx:
            mode = self._require_writable(tx, subject)
            if (body.id is not None or body.version is not None) and mode != "IMPORT":
                raise errors.operation_not_permitted(
                    f"Subject {subject} is not in import mode: no schema id or version may be given"
                )
            parsed, refs = self._parse_input(tx, body, normalize)
            check_rule_set(body.rule_set)
            schema_type = body.schema_type.upper()
            base = _fingerprint(schema_type, parsed.canonical, refs)
            live = tx.versions(subject)
            if body.metadata is None and body.rule_set is None:
                # Without a contract, the latest version with this schema text is a match.
                ids = tx.schema_ids_by_base(base)
                same = next((v for v in reversed(live) if v.schema_id in ids), None)
                if same is not None and body.id in (None, same.schema_id):
                    return {"id": same.schema_id}
            contract = self._inherit_contract(tx, body, live)
            fingerprint = _fingerprint(schema_type, parsed.canonical, refs, contract)
            existing = tx.schema_id_by_fingerprint(fingerprint)
            if existing is not None and body.id not in (None, existing):
                raise errors.operation_not_permitted(
                    f"Schema already registered with id {existing}; cannot import as id {body.id}"
                )
            if existing is not None and any(v.schema_id == existing for v in live):
                return {"id": existing}
            if normalize:  # an equivalent schema registered without normalize=true
                match = self._normalized_match(tx, live, parsed, refs, contract)
                if match is not None:
                    return {"id": match.schema_id}
            if mode != "IMPORT" and live:
                level = CompatibilityLevel(self._effective(tx, "config", subject))
                found = self._incompatibilities(tx, subject, parsed, live, level)
                if found:
                    raise RegistryError(
                        ErrorCode.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for "
                        f'subject "{subject}", details: '
                        + json.dumps([i.describe() for i in found]),
                    )
            schema_id = existing
            if schema_id is None:
                if body.id is not None and tx.schema_by_id(body.id) is not None:
                    raise errors.operation_not_permitted(
                        f"Overwrite new schema with id {body.id} is not permitted: the id is taken"
                    )
                guid = str(uuid.uuid5(uuid.NAMESPACE_URL, "schema:" + fingerprint))
                schema_id = tx.insert_schema(
                    fingerprint, schema_type, parsed.text, refs, guid, body.id, base, *contract
                )
            version = body.version if body.version is not None else tx.next_version(subject)
            if body.version is not None and tx.version(subject, body.version) is not None:
                raise errors.operation_not_permitted(
                    f"Version {body.version} of {subject} already exists"
                )
            tx.insert_version(subject, version, schema_id)
        self._invalidate()
        return {"id": schema_id}

    def lookup(
        self, subject: str, body: SchemaInput, normalize: bool, deleted: bool
    ) -> dict[str, Any]:
        tx = self.store.reader()
        rows = self._live_or_404(tx, subject, deleted)
        parsed, refs = self._parse_input(tx, body, normalize)
        schema_type = body.schema_type.upper()
        canonicals = {parsed.canonical}
        if not normalize:  # also match a copy registered with normalize=true
            normal = parse_schema(parsed.normalized(), parsed.references, validate_defaults=False)
            canonicals.add(normal.canonical)
        contract: Contract | None = (body.metadata, body.rule_set)
        ids: set[int | None] = set()
        for canonical in canonicals:
            if contract == (None, None):  # no contract given: any metadata/ruleSet matches
                ids |= set(tx.schema_ids_by_base(_fingerprint(schema_type, canonical, refs)))
            else:
                fp = _fingerprint(schema_type, canonical, refs, (body.metadata, body.rule_set))
                ids.add(tx.schema_id_by_fingerprint(fp))
        for row in reversed(rows):
            if row.schema_id in ids:
                return self._version_payload(tx, row)
        if contract == (None, None):
            contract = None
        same = self._normalized_match(tx, rows, parsed, refs, contract) if normalize else None
        if same is not None:
            return self._version_payload(tx, same)
        raise errors.schema_not_found("Schema not found")

    def _normalized_match(
        self,
        tx: Tx,
        rows: list[VersionRow],
        parsed: ParsedSchema,
        refs: list[dict[str, Any]],
        contract: Contract | None,
    ) -> VersionRow | None:
        """The latest of `rows` whose schema normalizes to `parsed` (already normalized) and has
        this contract (`None`: any contract)."""
        for row in reversed(rows):
            stored = self._schema_row(tx, row.schema_id)
            if contract is not None and (stored.metadata, stored.rule_set) != contract:
                continue
            if stored.refs == refs and normalize_schema_text(stored.text) == parsed.canonical:
                return row
        return None

    def _inherit_contract(self, tx: Tx, body: SchemaInput, live: list[VersionRow]) -> Contract:
        """Confluent's rule: metadata or ruleSet left out of a registration is carried over from
        the subject's latest version."""
        metadata, rule_set = body.metadata, body.rule_set
        if live and (metadata is None or rule_set is None):
            previous = self._schema_row(tx, live[-1].schema_id)
            metadata = previous.metadata if metadata is None else metadata
            rule_set = previous.rule_set if rule_set is None else rule_set
        return metadata, rule_set

    def latest_with_metadata(
        self, subject: str, wanted: dict[str, str], deleted: bool
    ) -> dict[str, Any]:
        """The latest version whose metadata properties include every wanted key=value."""
        tx = self.store.reader()
        for row in reversed(self._live_or_404(tx, subject, deleted)):
            if has_properties(self._schema_row(tx, row.schema_id).metadata, wanted):
                return self._version_payload(tx, row)
        raise errors.schema_not_found(
            f"No version of subject '{subject}' has metadata properties {wanted}"
        )

    def list_subjects(
        self, prefix: str, deleted: bool, deleted_only: bool, offset: int, limit: int
    ) -> list[str]:
        return page(self.store.reader().subjects(prefix, deleted, deleted_only), offset, limit)

    def list_versions(
        self, subject: str, deleted: bool, deleted_only: bool, offset: int, limit: int
    ) -> list[int]:
        rows = self._live_or_404(self.store.reader(), subject, deleted or deleted_only)
        if deleted_only:
            rows = [r for r in rows if r.deleted]
        return page([r.version for r in rows], offset, limit)

    def get_version(self, subject: str, version: str, deleted: bool) -> dict[str, Any]:
        tx = self.store.reader()
        row = self._get_version_row(tx, subject, version, deleted)
        return self._version_payload(tx, row, with_deleted_flag=deleted)

    def get_version_schema(self, subject: str, version: str, deleted: bool) -> Any:
        tx = self.store.reader()
        row = self._get_version_row(tx, subject, version, deleted)
        return json.loads(self._schema_row(tx, row.schema_id).text)

    def referenced_by(self, subject: str, version: str, offset: int, limit: int) -> list[int]:
        tx = self.store.reader()
        row = self._get_version_row(tx, subject, version, False)
        return page(tx.referenced_by(subject, row.version), offset, limit)

    def delete_subject(self, subject: str, permanent: bool) -> list[int]:
        with self.store.writer() as tx:
            self._require_writable(tx, subject)
            rows = self._live_or_404(tx, subject, include_deleted=True)
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
            for r in rows:
                users = tx.referenced_by(subject, r.version)
                if users:
                    raise RegistryError(
                        ErrorCode.REFERENCE_EXISTS,
                        f"One or more references exist to the schema {{subject={subject}, "
                        f"version={r.version}}}: used by schema ids {users}",
                    )
            for r in rows:
                if permanent:
                    tx.hard_delete(subject, r.version)
                else:
                    tx.soft_delete(subject, r.version)
            if permanent:
                tx.delete_setting("config", subject)
                tx.delete_setting("modes", subject)
        self._invalidate()
        return [r.version for r in rows]

    def delete_version(self, subject: str, version: str, permanent: bool) -> int:
        with self.store.writer() as tx:
            self._require_writable(tx, subject)
            number = parse_version(version)
            earlier = tx.version(subject, number) if number is not None and not permanent else None
            if earlier is not None and earlier.deleted:
                raise RegistryError(
                    ErrorCode.SCHEMAVERSION_SOFT_DELETED,
                    f"Subject '{subject}' Version {number} was soft deleted. Set permanent=true to "
                    f"delete permanently",
                )
            row = self._get_version_row(tx, subject, version, include_deleted=permanent)
            if permanent and not row.deleted:
                raise RegistryError(
                    ErrorCode.SCHEMAVERSION_NOT_SOFT_DELETED,
                    f"Subject '{subject}' Version {row.version} was not deleted first before being "
                    f"permanently deleted",
                )
            users = tx.referenced_by(subject, row.version)
            if users:
                raise RegistryError(
                    ErrorCode.REFERENCE_EXISTS,
                    f"One or more references exist to the schema {{subject={subject}, "
                    f"version={row.version}}}: used by schema ids {users}",
                )
            if permanent:
                tx.hard_delete(subject, row.version)
            else:
                tx.soft_delete(subject, row.version)
        self._invalidate()
        return row.version

    # ------------------------------------------------------------------ schemas
    def schema_by_id(
        self, schema_id: int, subject: str | None = None, fetch_max_id: bool = False
    ) -> dict[str, Any]:
        if not 0 < schema_id < 2**63:
            raise errors.schema_not_found(f"Schema {schema_id} not found")
        cached = self._by_id.get(schema_id)
        tx = self.store.reader()
        if cached is None:
            if not tx.versions_by_schema(schema_id, include_deleted=True):
                raise errors.schema_not_found(f"Schema {schema_id} not found")
            row = self._schema_row(tx, schema_id)
            cached = {**self._payload(row), "guid": row.guid}
            with self._cache_lock:
                self._by_id[schema_id] = cached
        out = dict(cached)
        used_by = tx.versions_by_schema(schema_id, True) if subject else []
        if subject and not any(v.subject == subject for v in used_by):
            raise errors.schema_not_found(f"Schema {schema_id} not found in subject '{subject}'")
        if fetch_max_id:
            out["maxId"] = tx.max_schema_id()
        return out

    def schema_by_guid(self, guid: str) -> dict[str, Any]:
        schema_id = self.store.reader().schema_id_by_guid(guid)
        if schema_id is None:
            raise errors.schema_not_found(f"Schema {guid} not found")
        return self.schema_by_id(schema_id)

    def schema_text_by_id(self, schema_id: int) -> Any:
        return json.loads(self.schema_by_id(schema_id)["schema"])

    def subjects_by_id(
        self, schema_id: int, subject: str | None, deleted: bool, offset: int, limit: int
    ) -> list[str]:
        self.schema_by_id(schema_id)
        rows = self.store.reader().versions_by_schema(schema_id, deleted)
        names = sorted({r.subject for r in rows if not subject or r.subject == subject})
        return page(names, offset, limit)

    def versions_by_id(
        self, schema_id: int, subject: str | None, deleted: bool, offset: int, limit: int
    ) -> list[dict[str, Any]]:
        self.schema_by_id(schema_id)
        rows = self.store.reader().versions_by_schema(schema_id, deleted)
        out = [
            {"subject": r.subject, "version": r.version}
            for r in rows
            if not subject or r.subject == subject
        ]
        return page(out, offset, limit)

    def list_schemas(
        self, prefix: str, deleted: bool, latest_only: bool, offset: int, limit: int
    ) -> list[dict[str, Any]]:
        tx = self.store.reader()
        rows = tx.all_versions(prefix, deleted)
        if latest_only:
            latest: dict[str, VersionRow] = {}
            for r in rows:
                latest[r.subject] = r
            rows = list(latest.values())
        return page([self._version_payload(tx, r) for r in rows], offset, limit)

    # ------------------------------------------------------------------ compatibility
    def test_compatibility(
        self, subject: str, version: str | None, body: SchemaInput, normalize: bool, verbose: bool
    ) -> dict[str, Any]:
        tx = self.store.reader()
        parsed, _ = self._parse_input(tx, body, normalize)
        live = tx.versions(subject)
        number = parse_version(version) if version is not None else None
        if number is not None:
            targets = [r for r in live if r.version == number]
            if not targets:
                raise errors.version_not_found(number)
        elif version is not None:
            targets = live[-1:]
        else:
            targets = live
        level = CompatibilityLevel(self._effective(tx, "config", subject))
        found: list[Incompatibility] = []
        if targets:
            history = [(v.version, self.parsed(tx, v.schema_id)) for v in targets]
            if version is not None:  # one given version: check it whatever the transitivity
                found = check_compatibility(parsed, history[-1:], level)
            else:
                found = self._incompatibilities(tx, subject, parsed, targets, level)
        result: dict[str, Any] = {"is_compatible": not found}
        if verbose:
            result["messages"] = [i.describe() for i in found]
        return result

    # ------------------------------------------------------------------ config and mode
    def get_config(self, subject: str | None, default_to_global: bool) -> dict[str, Any]:
        tx = self.store.reader()
        if subject is None:
            return {"compatibilityLevel": self._effective(tx, "config", None)}
        value = tx.get_setting("config", subject)
        if value is None:
            if not default_to_global:
                raise RegistryError(
                    ErrorCode.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                    f"Subject '{subject}' does not have subject-level compatibility configured",
                )
            value = self._effective(tx, "config", None)
        return {"compatibilityLevel": value}

    def set_config(self, subject: str | None, level: Any) -> dict[str, Any]:
        try:
            parsed = CompatibilityLevel.parse(level) if isinstance(level, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise RegistryError(
                ErrorCode.INVALID_COMPATIBILITY_LEVEL,
                "Invalid compatibility level. Valid values are none, backward, forward, full, "
                "backward_transitive, forward_transitive, and full_transitive",
            )
        with self.store.writer() as tx:
            tx.set_setting("config", GLOBAL if subject is None else subject, str(parsed))
        return {"compatibility": str(parsed)}

    def delete_config(self, subject: str | None) -> dict[str, Any]:
        with self.store.writer() as tx:
            key = GLOBAL if subject is None else subject
            previous = tx.get_setting("config", key)
            if subject is not None and previous is None and not tx.versions(subject, True):
                raise errors.subject_not_found(subject)
            tx.delete_setting("config", key)
            return {"compatibilityLevel": previous or self._effective(tx, "config", None)}

    def get_mode(self, subject: str | None, default_to_global: bool) -> dict[str, Any]:
        tx = self.store.reader()
        if subject is None:
            return {"mode": self._effective(tx, "modes", None)}
        value = tx.get_setting("modes", subject)
        if value is None:
            if not default_to_global:
                raise RegistryError(
                    ErrorCode.SUBJECT_LEVEL_MODE_NOT_CONFIGURED,
                    f"Subject '{subject}' does not have subject-level mode configured",
                )
            value = self._effective(tx, "modes", None)
        return {"mode": value}

    def set_mode(self, subject: str | None, mode: Any, force: bool) -> dict[str, Any]:
        value = mode.strip().upper() if isinstance(mode, str) else None
        if value not in MODES:
            raise RegistryError(
                ErrorCode.INVALID_MODE,
                f"Invalid mode {mode!r}. Valid values are READWRITE, READONLY, "
                "READONLY_OVERRIDE, IMPORT",
            )
        with self.store.writer() as tx:
            if value == "IMPORT" and not force:
                has_schemas = tx.versions(subject) if subject is not None else tx.subjects()
                if has_schemas:
                    raise errors.operation_not_permitted(
                        "Cannot import since found existing subjects; use force=true to override"
                    )
            tx.set_setting("modes", GLOBAL if subject is None else subject, value)
        return {"mode": value}

    def delete_mode(self, subject: str) -> dict[str, Any]:
        with self.store.writer() as tx:
            previous = tx.get_setting("modes", subject)
            if previous is None and not tx.versions(subject, True):
                raise errors.subject_not_found(subject)
            tx.delete_setting("modes", subject)
            return {"mode": previous or self._effective(tx, "modes", None)}
