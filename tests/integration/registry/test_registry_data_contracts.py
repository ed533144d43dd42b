"""Data contracts over real HTTP: `metadata` and `ruleSet` stored, returned, matched, and read
back by confluent-kafka's client; an older data dir keeps working after the schema migration."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.schema_registry_client import Metadata, MetadataProperties
from registry_helpers import CT, body, record

from avrokit import parse_schema
from stack.process import free_port
from stack.registry_process import start_registry

pytestmark = pytest.mark.integration

A = {"name": "a", "type": "int"}
B_OPT = {"name": "b", "type": ["null", "string"], "default": None}
META_1 = {"properties": {"owner": "team-a", "release": "1"}, "tags": {"a": ["PII"]}}
META_2 = {"properties": {"owner": "team-a", "release": "2"}, "sensitive": ["secret"]}
RULES = {
    "domainRules": [
        {
            "name": "checkA",
            "kind": "CONDITION",
            "mode": "WRITE",
            "type": "CEL",
            "expr": "message.a > 0",
            "params": {"k": "v"},
            "onFailure": "DLQ",
        }
    ],
    "migrationRules": [{"name": "up", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA"}],
}


def register(api: httpx.Client, subject: str, schema: str, **extra: object) -> httpx.Response:
    return api.post(f"/subjects/{subject}/versions", json=body(schema, **extra))


def test_metadata_and_rule_set_are_stored_and_returned(api: httpx.Client, subject: str) -> None:
    schema = record("DC", A)
    sid = register(api, subject, schema, metadata=META_1, ruleSet=RULES).json()["id"]
    for got in (
        api.get(f"/subjects/{subject}/versions/1").json(),
        api.get(f"/schemas/ids/{sid}").json(),
        api.post(f"/subjects/{subject}", json=body(schema)).json(),
        api.get("/schemas", params={"subjectPrefix": subject}).json()[0],
    ):
        assert got["metadata"] == META_1 and got["ruleSet"] == RULES
    # Without metadata/ruleSet, a schema has neither key (unchanged responses).
    plain = f"{subject}-plain"
    pid = register(api, plain, record("DC2", A)).json()["id"]
    assert "metadata" not in api.get(f"/schemas/ids/{pid}").json()
    assert "ruleSet" not in api.get(f"/subjects/{plain}/versions/1").json()


def test_metadata_takes_part_in_schema_identity(api: httpx.Client, subject: str) -> None:
    schema = record("DI", A)
    id1 = register(api, subject, schema, metadata=META_1).json()["id"]
    assert register(api, subject, schema, metadata=META_1).json()["id"] == id1  # same version
    id2 = register(api, subject, schema, metadata=META_2).json()["id"]
    id3 = register(api, subject, schema, metadata=META_2, ruleSet=RULES).json()["id"]
    assert len({id1, id2, id3}) == 3
    assert api.get(f"/subjects/{subject}/versions").json() == [1, 2, 3]
    # Lookup with a contract matches it exactly; without one, the latest version with the text.
    found = api.post(f"/subjects/{subject}", json=body(schema, metadata=META_1)).json()
    assert (found["version"], found["id"]) == (1, id1)
    assert api.post(f"/subjects/{subject}", json=body(schema)).json()["version"] == 3
    missing = api.post(f"/subjects/{subject}", json=body(schema, metadata={"properties": {}}))
    assert missing.status_code == 404 and missing.json()["error_code"] == 40403


def test_registration_without_contract_inherits_the_latest(api: httpx.Client, subject: str) -> None:
    id1 = register(api, subject, record("DH", A), metadata=META_1, ruleSet=RULES).json()["id"]
    # Re-registering the text alone is the same version (Confluent carries the contract over).
    assert register(api, subject, record("DH", A)).json()["id"] == id1
    # A new text alone gets the latest version's metadata and ruleSet.
    register(api, subject, record("DH", A, B_OPT))
    got = api.get(f"/subjects/{subject}/versions/2").json()
    assert got["metadata"] == META_1 and got["ruleSet"] == RULES
    # Giving only metadata keeps the inherited ruleSet.
    register(api, subject, record("DH", A, B_OPT), metadata=META_2)
    got = api.get(f"/subjects/{subject}/versions/3").json()
    assert got["metadata"] == META_2 and got["ruleSet"] == RULES


@pytest.mark.parametrize(
    "extra",
    [
        {"ruleSet": {"domainRules": [{"kind": "CONDITION"}]}},  # no name
        {"ruleSet": {"domainRules": [{"name": "x", "kind": "BOGUS"}]}},
        {"ruleSet": {"domainRules": [{"name": "x", "mode": "UPGRADE"}]}},  # migration mode
        {"ruleSet": {"migrationRules": [{"name": "x", "mode": "WRITE"}]}},  # domain mode
        {"ruleSet": {"domainRules": [{"name": "x"}, {"name": "x"}]}},  # duplicate name
    ],
)
def test_invalid_rule_set_is_42201(api: httpx.Client, subject: str, extra: dict) -> None:
    response = register(api, subject, record("DR", A), **extra)
    assert response.status_code == 422 and response.json()["error_code"] == 42201
    assert api.get(f"/subjects/{subject}/versions").status_code == 404  # nothing stored


def test_wrongly_shaped_metadata_is_422(api: httpx.Client, subject: str) -> None:
    response = register(api, subject, record("DS", A), metadata={"properties": {"k": [1]}})
    assert response.status_code == 422 and response.json()["error_code"] == 422


def test_get_latest_with_metadata_over_http(api: httpx.Client, subject: str) -> None:
    register(api, subject, record("DM", A), metadata=META_1)
    register(api, subject, record("DM", A, B_OPT), metadata=META_2)
    url = f"/subjects/{subject}/metadata"
    assert api.get(url, params={"key": "owner", "value": "team-a"}).json()["version"] == 2
    got = api.get(url, params=[("key", "owner"), ("value", "team-a"), ("key", "release"),
                               ("value", "1")]).json()  # fmt: skip
    assert (got["version"], got["metadata"]) == (1, META_1)
    assert got["subject"] == subject and got["schema"] == record("DM", A)
    assert api.get(url).json()["version"] == 2  # no key: the latest version
    none = api.get(url, params={"key": "owner", "value": "nobody"})
    assert none.status_code == 404 and none.json()["error_code"] == 40403
    unknown = api.get(f"/subjects/{subject}-none/metadata", params={"key": "a", "value": "b"})
    assert unknown.status_code == 404 and unknown.json()["error_code"] == 40401
    unpaired = api.get(url, params={"key": "owner"})  # as Confluent: an unpaired key is ignored
    assert unpaired.status_code == 200 and unpaired.json()["version"] == 2
    # Soft-deleted versions count only with deleted=true.
    api.delete(f"/subjects/{subject}/versions/1")
    release_1 = [("key", "release"), ("value", "1")]
    assert api.get(url, params=release_1).json()["error_code"] == 40403
    assert api.get(url, params=[*release_1, ("deleted", "true")]).json()["version"] == 1


def test_get_latest_with_metadata_from_confluent_client(registry_url: str, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry_url})
    md1 = Metadata(None, MetadataProperties({"owner": "team-a", "release": "1"}), None)
    md2 = Metadata(None, MetadataProperties({"owner": "team-a", "release": "2"}), None)
    id1 = client.register_schema(subject, Schema(record("DK", A), "AVRO", [], md1))
    id2 = client.register_schema(subject, Schema(record("DK", A, B_OPT), "AVRO", [], md2))
    found = client.get_latest_with_metadata(subject, {"release": "1"})
    assert (found.schema_id, found.version) == (id1, 1)
    assert found.schema.metadata is not None
    assert found.schema.metadata.properties.properties == {"owner": "team-a", "release": "1"}
    assert client.get_latest_with_metadata(subject, {"owner": "team-a"}).schema_id == id2
    assert client.get_schema(id2).metadata.properties.properties["release"] == "2"
    with pytest.raises(SchemaRegistryError) as err:
        client.get_latest_with_metadata(subject, {"release": "9"})
    assert err.value.error_code == 40403


OLD_DDL = """
CREATE TABLE schemas (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE,
    schema_type TEXT NOT NULL, text TEXT NOT NULL, refs TEXT NOT NULL, guid TEXT NOT NULL UNIQUE);
CREATE TABLE versions (subject TEXT NOT NULL, version INTEGER NOT NULL,
    schema_id INTEGER NOT NULL REFERENCES schemas(id), deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (subject, version));
CREATE TABLE refs (schema_id INTEGER NOT NULL, subject TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE config (subject TEXT PRIMARY KEY, compatibility TEXT NOT NULL);
CREATE TABLE modes (subject TEXT PRIMARY KEY, mode TEXT NOT NULL);
"""


def test_data_dir_from_before_data_contracts_is_migrated(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    text = record("Old", A)
    canonical = parse_schema(text, []).canonical
    key = json.dumps(["AVRO", canonical, []], sort_keys=True, separators=(",", ":"))
    conn = sqlite3.connect(data_dir / "registry.sqlite3")
    conn.executescript(OLD_DDL)
    conn.execute(
        "INSERT INTO schemas VALUES (7, ?, 'AVRO', ?, '[]', 'g-old')",
        (hashlib.sha256(key.encode()).hexdigest(), text),
    )
    conn.execute("INSERT INTO versions VALUES ('old-value', 1, 7, 0)")
    conn.commit()
    conn.close()
    port = free_port()
    proc = start_registry(port, data_dir, tmp_path / "registry.log")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Content-Type": CT}) as api:
            assert api.get("/schemas/ids/7").json() == {"schema": text, "guid": "g-old"}
            # The old row's identity still holds: same text, same id, no new version.
            assert register(api, "old-value", text).json()["id"] == 7
            assert api.post("/subjects/old-value", json=body(text)).json()["id"] == 7
            new = register(api, "old-value", text, metadata=META_1).json()["id"]
            assert new == 8 and api.get("/subjects/old-value/versions").json() == [1, 2]
            assert api.get("/schemas/ids/8").json()["metadata"] == META_1
    finally:
        proc.stop()
