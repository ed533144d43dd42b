"""The read cache: typed keys (a version is its number), bounded in bytes, least recently used
dropped first, never stale across a write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.errors import RegistryError
from registry.service import Registry, SchemaInput
from registry.service.cache import ENTRY_OVERHEAD, BoundedLRU, ReadCache
from registry.storage import Storage


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(Storage(tmp_path / "data"))


def schema(doc: str = "") -> SchemaInput:
    fields = [{"name": "a", "type": "int"}]
    return SchemaInput(json.dumps({"type": "record", "name": "R", "doc": doc, "fields": fields}))


def test_spellings_of_one_version_share_one_entry(registry: Registry) -> None:
    registry.registration.register("s", schema("d" * 100_000))
    bodies = {registry.subjects.version_response("s", "0" * i + "1", False) for i in range(200)}
    bodies |= {registry.subjects.version_response("s", v, False) for v in (" 1", "1 ")}
    assert len(bodies) == 1
    latest = {registry.subjects.version_response("s", v, False) for v in ("latest", "-1", "LATEST")}
    assert len(latest) == 1
    assert len(registry.core.cache.responses) == 2  # version 1, and latest
    assert registry.core.cache.responses.size < 2 * (len(next(iter(bodies))) + ENTRY_OVERHEAD) + 1
    with pytest.raises(RegistryError):
        registry.subjects.cached_version("s", "0", False)


def test_responses_stay_within_the_byte_budget(registry: Registry) -> None:
    registry.core.cache = ReadCache(max_bytes=50_000)
    for i in range(30):
        registry.registration.register(f"s{i}", schema(f"{i}" * 5_000))
    for i in range(30):
        registry.subjects.version_response(f"s{i}", "1", False)
        registry.schemas.by_id_response(i + 1)
        assert registry.core.cache.responses.size <= 50_000
    assert 0 < len(registry.core.cache.responses) < 60
    assert registry.subjects.cached_version("s29", "1", False) is not None  # most recent kept
    assert registry.subjects.cached_version("s0", "1", False) is None  # oldest dropped


def test_least_recently_used_goes_first_and_oversized_is_not_kept() -> None:
    lru: BoundedLRU[str] = BoundedLRU(budget=3 * (100 + ENTRY_OVERHEAD))
    for key in "abc":
        lru.put(key, key, 100)
    assert lru.get("a") == "a"  # now b is the least recently used
    lru.put("d", "d", 100)
    assert lru.get("b") is None and lru.get("a") == "a" and lru.get("d") == "d"
    lru.put("huge", "x", 10_000)
    assert lru.get("huge") is None and len(lru) == 3


def test_a_read_racing_a_write_is_not_cached(registry: Registry) -> None:
    registry.registration.register("s", schema())
    generation = registry.core.cache.generation()
    registry.registration.register("s", schema("changed"))  # invalidates
    registry.core.cache.put_version(generation, "s", None, False, b"stale")
    assert registry.subjects.cached_version("s", "latest", False) is None
    assert b'"version":2' in registry.subjects.version_response("s", "latest", False)


def test_parsed_schemas_are_bounded_too(registry: Registry) -> None:
    registry.core.cache = ReadCache(parsed_max_bytes=2_000_000)
    registry.registration.register("s", schema("d" * 30_000))
    for i in range(20):  # FULL_TRANSITIVE walks every version, parsing each
        registry.config.set("s", ["NONE"])
        registry.registration.register("s", schema(f"{i}" * 30_000))
        registry.config.set("s", ["FULL_TRANSITIVE"])
        registry.compatibility.test("s", None, schema("x"), False, False)
        assert registry.core.cache.parsed_schemas.size <= 2_000_000
