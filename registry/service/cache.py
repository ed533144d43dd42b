"""The read cache: encoded lookup responses that stay true until the next write of this process,
and parsed schemas.

Lookups by subject/version and by id are the deserializers' hot path; routers ask the cache first
so that a hit never leaves the event loop, and a hit is sent as the bytes stored (no encoding).
Keys are typed (a version is its number, or None for latest), so `1`, `01` and `001` are one
entry. Both parts are bounded in bytes (registry/limits.py) and drop the least recently used
entries first: no sequence of reads can grow the process without bound.

Every write drops the responses (`invalidate`); parsed schemas are kept, since a schema id
always denotes the same schema. A response is stored with the generation it was computed in
(`generation()` before reading the store) and dropped if a write happened meanwhile, so a racing
read never caches stale data.

When other processes write to the same store (PostgreSQL), `store_generation` reads the store's
write counter: every lookup compares it with the one the cached responses were computed at and
drops them all when another process wrote since, so a hit is never older than the last write
committed anywhere before the request (one indexed read per lookup instead of none).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from avrokit import ParsedSchema
from registry.limits import CACHE_MAX_BYTES, PARSED_BYTES_PER_TEXT_BYTE, PARSED_CACHE_MAX_BYTES

V = TypeVar("V")
ENTRY_OVERHEAD = 200  # bytes of key, tuple and dict slot per entry, roughly


class BoundedLRU(Generic[V]):
    """Values with a size; the least recently used go first once `budget` bytes are held."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: V, size: int) -> None:
        size += ENTRY_OVERHEAD
        if size > self.budget:
            return  # larger than the whole cache: not kept
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (value, size)
            self.size += size
            while self.size > self.budget:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


class ReadCache:
    def __init__(
        self,
        max_bytes: int = CACHE_MAX_BYTES,
        parsed_max_bytes: int = PARSED_CACHE_MAX_BYTES,
        store_generation: Callable[[], int] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._store_generation = store_generation
        self._seen_store_generation: int | None = None
        self._generation = 0
        self.responses: BoundedLRU[bytes] = BoundedLRU(max_bytes)
        self.parsed_schemas: BoundedLRU[ParsedSchema] = BoundedLRU(parsed_max_bytes)

    def generation(self) -> int:
        """Take before reading the store; pass to `put_*` with what was read."""
        self._catch_up()
        return self._generation

    def _catch_up(self) -> None:
        """Forget every response if another process wrote to the store since they were read."""
        if self._store_generation is None:
            return
        now = self._store_generation()
        if now != self._seen_store_generation:
            self.invalidate()
            self._seen_store_generation = now

    def invalidate(self) -> None:
        """After every write: forget every response (parsed schemas stay)."""
        with self._lock:
            self._generation += 1
            self.responses.clear()

    def _put(self, generation: int, key: Hashable, body: bytes) -> None:
        with self._lock:  # no write may invalidate between the check and the put
            if generation == self._generation:
                self.responses.put(key, body, len(body))

    # ----------------------------------------------------------- GET /subjects/{s}/versions/{v}
    def version(self, subject: str, version: int | None, deleted: bool) -> bytes | None:
        """The encoded version response; `version` None is the latest."""
        self._catch_up()
        return self.responses.get(("version", subject, version, deleted))

    def put_version(
        self, generation: int, subject: str, version: int | None, deleted: bool, body: bytes
    ) -> None:
        self._put(generation, ("version", subject, version, deleted), body)

    # ----------------------------------------------------------- GET /schemas/ids/{id}
    def schema(self, schema_id: int) -> bytes | None:
        self._catch_up()
        return self.responses.get(("id", schema_id))

    def put_schema(self, generation: int, schema_id: int, body: bytes) -> None:
        self._put(generation, ("id", schema_id), body)

    # ----------------------------------------------------------- parsed schemas by id
    def parsed(self, schema_id: int) -> ParsedSchema | None:
        return self.parsed_schemas.get(schema_id)

    def put_parsed(self, schema_id: int, parsed: ParsedSchema) -> None:
        self.parsed_schemas.put(schema_id, parsed, PARSED_BYTES_PER_TEXT_BYTE * len(parsed.text))
