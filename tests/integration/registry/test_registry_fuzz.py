"""Stateful fuzz of the live registry (hypothesis): random schemas (deep, wide, odd unicode, past
the limits) registered, looked up, checked and deleted on random subjects, in random order.

Every answer is JSON, none is a 5xx and none hangs (every request has a deadline); every
acknowledged registration is readable (by id, and by subject/version until deleted), checked
when made and again at the end of each run; an id never denotes another schema text.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from registry import limits

pytestmark = pytest.mark.integration

CT = "application/vnd.schemaregistry.v1+json"
NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
# Any code point, lone surrogates included: they must be refused, never stored.
ODD_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
PRIMITIVES = st.sampled_from(
    ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
)


def _record(name: str, types: list[Any], doc: str) -> dict[str, Any]:
    fields = [{"name": f"f{i}", "type": t} for i, t in enumerate(types)]
    return {"type": "record", "name": name, "doc": doc, "fields": fields}


@st.composite
def schemas(draw: st.DrawFn) -> Any:
    """A schema document: mostly valid, sometimes deep, wide or odd, sometimes invalid."""
    shape = draw(st.sampled_from(["plain", "plain", "plain", "deep", "wide", "union", "odd"]))
    name = draw(NAMES)
    if shape == "deep":  # around the nesting limit: some pass, some are refused
        depth = draw(st.integers(1, limits.MAX_SCHEMA_DEPTH // 3 + 5))
        schema: Any = _record(f"{name}0", ["int"], "leaf")
        for i in range(1, depth):
            schema = _record(f"{name}{i}", [schema], "")
        return schema
    if shape == "wide":
        count = draw(st.sampled_from([0, 1, 500, limits.MAX_FIELDS_PER_RECORD + 1]))
        return _record(name, ["int"] * count, "")
    if shape == "union":
        count = draw(st.sampled_from([2, 50, limits.MAX_UNION_BRANCHES + 1]))
        branches = [_record(f"{name}_{i}", ["int"], "") for i in range(count)]
        return _record(name, [["null", *branches]], "")
    types = draw(st.lists(PRIMITIVES | st.just({"type": "array", "items": "long"}), max_size=6))
    doc = draw(ODD_TEXT) if shape == "odd" else draw(st.text(max_size=8))
    schema = _record(name, types, doc)
    if shape == "odd":
        schema["x-prop"] = draw(st.sampled_from([[[[[1]]]], "\ud800", 1e308, {"k": doc}]))
    return schema


SUBJECTS = st.sampled_from(["fz-a-value", "fz/b-value", "fz-ü-value", "fz-c"])


class RegistryMachine(RuleBasedStateMachine):
    url = ""  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.api = httpx.Client(base_url=self.url, headers={"Content-Type": CT}, timeout=60)
        self.prefix = f"{uuid.uuid4().hex[:8]}-"  # a fresh namespace: replays see the same state
        self.texts: dict[int, str] = {}  # every id ever acknowledged -> its schema text
        self.versions: dict[tuple[str, int], int] = {}  # live (subject, version) -> id

    def teardown(self) -> None:
        try:
            self.acknowledged_writes_are_readable_and_ids_stable()
        finally:
            self.api.close()

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        content = None if body is None else json.dumps(body).encode()  # ascii: "\ud800" escaped
        r = self.api.request(method, path, content=content, params=params)
        assert r.status_code < 500, f"{method} {path}: {r.status_code} {r.text[:300]}"
        r.json()  # every answer is JSON
        return r

    def path(self, subject: str) -> str:
        return quote(self.prefix + subject, safe="")

    @rule(subject=SUBJECTS, schema=schemas(), level=st.sampled_from(["NONE", "NONE", "BACKWARD"]))
    def register(self, subject: str, schema: Any, level: str) -> None:
        self.call("PUT", f"/config/{self.path(subject)}", {"compatibility": level})
        r = self.call(
            "POST", f"/subjects/{self.path(subject)}/versions", {"schema": json.dumps(schema)}
        )
        if r.status_code != 200:
            return
        schema_id = r.json()["id"]
        got = self.call("GET", f"/schemas/ids/{schema_id}")
        assert got.status_code == 200
        self.texts.setdefault(schema_id, got.json()["schema"])
        found = self.call("POST", f"/subjects/{self.path(subject)}", {"schema": json.dumps(schema)})
        assert found.status_code == 200 and found.json()["id"] == schema_id
        self.versions[(subject, found.json()["version"])] = schema_id

    @rule(subject=SUBJECTS, schema=schemas())
    def look_up_and_check(self, subject: str, schema: Any) -> None:
        body = {"schema": json.dumps(schema)}
        found = self.call("POST", f"/subjects/{self.path(subject)}", body)
        if found.status_code == 200:
            assert (
                self.texts.get(found.json()["id"], found.json()["schema"]) == found.json()["schema"]
            )
        self.call(
            "POST", f"/compatibility/subjects/{self.path(subject)}/versions", body, verbose="true"
        )

    @precondition(lambda self: bool(self.versions))
    @rule(data=st.data(), permanent=st.booleans())
    def delete_version(self, data: st.DataObject, permanent: bool) -> None:
        subject, version = data.draw(st.sampled_from(sorted(self.versions)))
        path = f"/subjects/{self.path(subject)}/versions/{version}"
        r = self.call("DELETE", path)
        if r.status_code == 200:
            del self.versions[(subject, version)]
            if permanent:
                self.call("DELETE", path, permanent="true")

    @rule(subject=SUBJECTS, version=st.sampled_from(["latest", "-1", "01", "0", "2147483648", "x"]))
    def read_odd_versions(self, subject: str, version: str) -> None:
        self.call("GET", f"/subjects/{self.path(subject)}/versions/{version}")

    def acknowledged_writes_are_readable_and_ids_stable(self) -> None:
        """After every run of steps (each step checks what it touched)."""
        for (subject, version), schema_id in self.versions.items():
            r = self.call("GET", f"/subjects/{self.path(subject)}/versions/{version}")
            assert r.status_code == 200 and r.json()["id"] == schema_id
        for schema_id, text in self.texts.items():
            r = self.call("GET", f"/schemas/ids/{schema_id}")
            assert r.status_code == 404 or r.json()["schema"] == text


def test_registry_under_random_use(registry_url: str) -> None:
    RegistryMachine.url = registry_url
    run = RegistryMachine.TestCase
    run.settings = settings(
        max_examples=30,
        stateful_step_count=20,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    run().runTest()
