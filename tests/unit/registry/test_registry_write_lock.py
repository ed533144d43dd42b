"""Registration parses, validates and checks compatibility outside the write lock: a slow
schema on one subject does not hold up writes on another, and what was checked outside the lock
is checked again inside it when the subject changed meanwhile."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from avrokit import ParsedSchema
from registry.errors import RegistryError
from registry.service import Registry, SchemaInput, core
from registry.storage import Storage


def schema(name: str, *fields: dict[str, Any], doc: str = "") -> SchemaInput:
    record = {"type": "record", "name": name, "doc": doc, "fields": list(fields)}
    return SchemaInput(json.dumps(record))


INT = {"name": "a", "type": "int"}


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(Storage(tmp_path / "data"))


@pytest.fixture
def slow_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Parsing a schema with the doc "slow" waits until `release` is set (`started` says it
    began)."""
    started, release = threading.Event(), threading.Event()
    real = core.parse_schema

    def parse(text: str, *args: Any, **kwargs: Any) -> ParsedSchema:
        if '"doc": "slow"' in text:
            started.set()
            assert release.wait(30), "never released"
        return real(text, *args, **kwargs)

    monkeypatch.setattr(core, "parse_schema", parse)
    yield started, release
    release.set()


def test_a_slow_parse_does_not_block_writes_to_other_subjects(
    registry: Registry, slow_parse: tuple[threading.Event, threading.Event]
) -> None:
    started, release = slow_parse
    results: dict[str, Any] = {}
    slow = threading.Thread(
        target=lambda: results.update(
            slow=registry.registration.register("a", schema("Slow", INT, doc="slow"))
        )
    )
    slow.start()
    assert started.wait(10)
    fast = threading.Thread(
        target=lambda: results.update(fast=registry.registration.register("b", schema("Fast", INT)))
    )
    fast.start()
    fast.join(10)
    blocked = fast.is_alive()
    release.set()
    slow.join(10)
    fast.join(10)
    assert not blocked, "a registration on another subject waited for the slow parse"
    assert results["fast"]["id"] != results["slow"]["id"]
    assert registry.subjects.list_versions("a", False, False, 0, -1) == [1]


def test_a_version_registered_meanwhile_is_checked_against(
    registry: Registry, slow_parse: tuple[threading.Event, threading.Event]
) -> None:
    """Checked outside the lock against v1, the slow registration must still be refused when
    an incompatible v2 was registered meanwhile."""
    started, release = slow_parse
    registry.registration.register("s", schema("Rec", INT))
    registry.config.set("s", ["BACKWARD_TRANSITIVE"])
    outcome: dict[str, Any] = {}

    def register_slow() -> None:
        b_string = {"name": "b", "type": "string", "default": "x"}
        try:
            slow = schema("Rec", INT, b_string, doc="slow")
            outcome["ok"] = registry.registration.register("s", slow)
        except RegistryError as exc:
            outcome["error"] = exc

    slow = threading.Thread(target=register_slow)
    slow.start()
    assert started.wait(10)
    b_int = {"name": "b", "type": "int", "default": 0}
    assert registry.registration.register("s", schema("Rec", INT, b_int))["id"] == 2
    release.set()
    slow.join(10)
    assert "error" in outcome and outcome["error"].code == 409, outcome
