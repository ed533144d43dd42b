"""The read cache: lookup results that stay true until the next write of this process.

Lookups by subject/version and by id are the deserializers' hot path; routers ask the cache first
so that a hit never leaves the event loop. Every write drops the results (`invalidate`); parsed
schemas are kept, since a schema id always denotes the same schema.

A result is stored with the generation it was computed in (`generation()` before reading the store)
and dropped if a write happened meanwhile, so a racing read never caches stale data.
"""

from __future__ import annotations

import threading
from typing import Any

from avrokit import ParsedSchema

MAX_ENTRIES = 100_000


class ReadCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._versions: dict[tuple[str, str, bool], dict[str, Any]] = {}
        self._schemas: dict[int, dict[str, Any]] = {}
        self._parsed: dict[int, ParsedSchema] = {}

    def generation(self) -> int:
        """Take before reading the store; pass to `put_*` with what was read."""
        return self._generation

    def invalidate(self) -> None:
        """After every write: forget every result (parsed schemas stay)."""
        with self._lock:
            self._generation += 1
            self._versions.clear()
            self._schemas.clear()

    # ----------------------------------------------------------- GET /subjects/{s}/versions/{v}
    def version(self, subject: str, version: str, deleted: bool) -> dict[str, Any] | None:
        return self._versions.get((subject, version, deleted))

    def put_version(
        self, generation: int, subject: str, version: str, deleted: bool, payload: dict[str, Any]
    ) -> None:
        with self._lock:
            if generation == self._generation and len(self._versions) < MAX_ENTRIES:
                self._versions[(subject, version, deleted)] = payload

    # ----------------------------------------------------------- GET /schemas/ids/{id}
    def schema(self, schema_id: int) -> dict[str, Any] | None:
        return self._schemas.get(schema_id)

    def put_schema(self, generation: int, schema_id: int, payload: dict[str, Any]) -> None:
        with self._lock:
            if generation == self._generation and len(self._schemas) < MAX_ENTRIES:
                self._schemas[schema_id] = payload

    # ----------------------------------------------------------- parsed schemas by id
    def parsed(self, schema_id: int) -> ParsedSchema | None:
        return self._parsed.get(schema_id)

    def put_parsed(self, schema_id: int, parsed: ParsedSchema) -> None:
        with self._lock:
            self._parsed[schema_id] = parsed
