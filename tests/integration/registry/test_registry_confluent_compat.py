"""Behaviours matched to Confluent's resource classes, over real HTTP (issue 11, item 9).

Each test names the Confluent behaviour it pins: trailing slashes, what a soft subject delete
lists, primitives with reserved attributes, content negotiation (406/415), non-numeric path
parameters, `DELETE /config/{subject}` without a subject-level config, 405 with `Allow`, and the
pairing of `key`/`value` on `/subjects/{s}/metadata`.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from registry_helpers import CT, body, record

from avrokit import canonical_json
from registry.service.identity import fingerprint
from registry.storage import Storage
from stack.process import free_port
from stack.registry_process import start_registry

pytestmark = pytest.mark.integration

A = {"name": "a", "type": "int"}
DEFAULT_CT = "application/vnd.schemaregistry+json"


def error(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, int(response.json()["error_code"])


def register(api: httpx.Client, subject: str, schema: str) -> httpx.Response:
    return api.post(f"/subjects/{subject}/versions", json=body(schema))


# --- trailing slash: the same resource as without it (Jersey), never a redirect -----------------


def test_trailing_slash_serves_the_same_resource(api: httpx.Client, subject: str) -> None:
    created = api.post(f"/subjects/{subject}/versions/", json=body(record("Slash", A)))
    assert created.status_code == 200, created.text
    schema_id = created.json()["id"]
    for path in (
        "/config/",
        "/mode/",
        "/subjects/",
        "/schemas/types/",
        f"/subjects/{subject}/versions/",
        f"/subjects/{subject}/versions/1/",
        f"/schemas/ids/{schema_id}/",
    ):
        with_slash, without = api.get(path), api.get(path.rstrip("/"))
        assert with_slash.status_code == 200, (path, with_slash.status_code, with_slash.text)
        assert with_slash.json() == without.json(), path
    try:
        put = api.put("/config/", json={"compatibility": "FULL"})
        assert put.status_code == 200 and put.json() == {"compatibility": "FULL"}
        assert api.get("/config").json() == {"compatibilityLevel": "FULL"}
    finally:
        api.delete("/config")
    lookup = api.post(f"/subjects/{subject}/", json=body(record("Slash", A)))
    assert lookup.status_code == 200 and lookup.json()["id"] == schema_id
    missing = api.get("/no-such-resource/")
    assert error(missing) == (404, 404)


# --- soft DELETE /subjects/{s} lists only the versions this call deleted ------------------------


def test_soft_subject_delete_lists_only_the_versions_it_deleted(
    api: httpx.Client, subject: str
) -> None:
    api.put(f"/config/{subject}", json={"compatibility": "NONE"})
    for field in ("a", "b", "c"):
        assert register(api, subject, record("Soft", {"name": field, "type": "int"})).is_success
    assert api.delete(f"/subjects/{subject}/versions/2").json() == 2
    assert api.delete(f"/subjects/{subject}").json() == [1, 3]
    assert api.delete(f"/subjects/{subject}", params={"permanent": "true"}).json() == [1, 2, 3]


# --- a primitive with reserved attributes is the primitive, as Avro's parser sees it -------------


def test_primitive_with_reserved_attributes_is_the_bare_primitive(
    api: httpx.Client, subject: str
) -> None:
    named = register(api, subject, json.dumps({"type": "int", "name": "X", "doc": "d"}))
    assert named.status_code == 200, named.text
    schema_id = named.json()["id"]
    # Confluent stores Avro's canonical string: the reserved attributes are gone.
    assert api.get(f"/schemas/ids/{schema_id}").json()["schema"] == '"int"'
    for same in ('"int"', '{"type": "int"}', '{"type": "int", "namespace": "n", "aliases": []}'):
        found = api.post(f"/subjects/{subject}", json=body(same))
        assert found.status_code == 200 and found.json()["id"] == schema_id, same
        assert register(api, subject, same).json()["id"] == schema_id, same
    assert api.get(f"/subjects/{subject}/versions").json() == [1]
    # A property Avro keeps (not reserved) makes another schema, as in Confluent and Karapace.
    other = register(api, subject + "-prop", json.dumps({"type": "int", "foo": "bar"}))
    assert other.json()["id"] != schema_id
    kept = json.loads(api.get(f"/schemas/ids/{other.json()['id']}").json()["schema"])
    assert kept == {"type": "int", "foo": "bar"}


def test_nested_primitive_with_reserved_attributes(api: httpx.Client, subject: str) -> None:
    wrapped = record("Nest", {"name": "s", "type": {"type": "string", "name": "ignored"}})
    bare = record("Nest", {"name": "s", "type": "string"})
    first = register(api, subject, wrapped).json()["id"]
    assert register(api, subject, bare).json()["id"] == first
    assert api.get(f"/schemas/ids/{first}").json()["schema"] == bare


def test_primitive_with_reserved_attributes_via_confluent_client(
    registry_url: str, subject: str
) -> None:
    client = SchemaRegistryClient({"url": registry_url})
    sid = client.register_schema(subject, Schema('{"type": "long", "name": "N"}', "AVRO"))
    found = client.lookup_schema(subject, Schema('"long"', "AVRO"))
    assert (found.schema_id, found.version) == (sid, 1)


def test_data_dir_from_before_reduced_primitives_is_rekeyed(tmp_path: Path) -> None:
    """Schemas stored with `{"type": "int"}`-style primitives keep their ids and are found."""
    wrapped = record("Old", {"name": "a", "type": {"type": "int"}})
    storage = Storage(tmp_path / "data")  # the store alone: no migration has run yet
    with storage.writer() as tx:
        for schema_id, text in ((7, wrapped), (8, '{"type": "string"}'), (9, '"string"')):
            old_key = fingerprint("AVRO", canonical_json(json.loads(text)), [])
            tx.insert_schema(old_key, "AVRO", text, [], f"g-{schema_id}", schema_id)
        tx.insert_version("old-value", 1, 7)
        tx.insert_version("str-value", 1, 8)
        tx.insert_version("str-value", 2, 9)
    storage.close()
    port = free_port()
    proc = start_registry(port, tmp_path / "data", tmp_path / "registry.log")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as api:
            assert api.get("/schemas/ids/7").json() == {"schema": wrapped, "guid": "g-7"}
            assert register(api, "old-value", record("Old", A)).json()["id"] == 7
            assert api.post("/subjects/old-value", json=body(wrapped)).json()["version"] == 1
            assert api.get("/subjects/old-value/versions").json() == [1]
            # 8 and 9 are now the same schema: both stay readable, the lookup finds one of them
            assert api.get("/schemas/ids/8").json()["schema"] == '{"type": "string"}'
            assert api.post("/subjects/str-value", json=body('"string"')).json()["id"] in (8, 9)
            assert register(api, "str-value", '"string"').json()["id"] in (8, 9)
            assert api.get("/subjects/str-value/versions").json() == [1, 2]
    finally:
        proc.stop()


# --- content negotiation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, CT),
        ("*/*", CT),
        ("application/*", CT),
        (CT, CT),
        (DEFAULT_CT, DEFAULT_CT),
        ("application/json", "application/json"),
        ("application/json, application/vnd.schemaregistry+json", DEFAULT_CT),
        ("application/json;q=0.9, application/vnd.schemaregistry+json;q=0.5", "application/json"),
        (f"{CT};q=0, application/json", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", CT),
    ],
)
def test_response_media_type_follows_accept(
    registry_url: str, accept: str | None, expected: str
) -> None:
    headers = {} if accept is None else {"Accept": accept}
    with httpx.Client(base_url=registry_url, timeout=10) as client:
        ok = client.get("/schemas/types", headers=headers)
        assert ok.status_code == 200 and ok.headers["content-type"] == expected
        failed = client.get("/subjects/no-such-subject-anywhere/versions", headers=headers)
        assert failed.status_code == 404 and failed.headers["content-type"] == expected


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "application/json;q=0"])
def test_accept_it_cannot_serve_is_406(registry_url: str, accept: str) -> None:
    with httpx.Client(base_url=registry_url, timeout=10) as client:
        response = client.get("/subjects", headers={"Accept": accept})
    assert error(response) == (406, 406)
    assert response.json()["message"] == "HTTP 406 Not Acceptable"
    assert response.headers["content-type"] == CT


@pytest.mark.parametrize(
    "content_type",
    [CT, DEFAULT_CT, "application/json", "application/json; charset=utf-8",
     "application/octet-stream", None],
)  # fmt: skip
def test_request_media_types_confluent_consumes(
    registry_url: str, subject: str, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    payload = json.dumps(body(record("Consumes", A))).encode()
    with httpx.Client(base_url=registry_url, timeout=10) as client:
        response = client.post(f"/subjects/{subject}/versions", content=payload, headers=headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/foo+json"])
def test_unsupported_request_media_type_is_415(
    registry_url: str, subject: str, content_type: str
) -> None:
    payload = json.dumps({"compatibility": "NONE"})
    with httpx.Client(base_url=registry_url, timeout=10) as client:
        response = client.put(
            f"/config/{subject}", content=payload, headers={"Content-Type": content_type}
        )
        assert error(response) == (415, 415)
        assert response.json()["message"] == "HTTP 415 Unsupported Media Type"
        assert client.get(f"/config/{subject}").status_code == 404  # nothing was written


def test_openapi_document_is_not_negotiated(registry_url: str) -> None:
    response = httpx.get(f"{registry_url}/openapi.json", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


# --- non-numeric path parameters and DELETE /config/{subject} -----------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/schemas/ids/invalid",
        "/schemas/ids/invalid/",
        "/schemas/ids/1.5/schema",
        "/schemas/ids/x/subjects",
        "/schemas/ids/x/versions",
        "/schemas/ids/2147483648",
    ],
)
def test_non_numeric_path_parameter_is_jersey_404(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert error(response) == (404, 404)
    assert response.json()["message"] == "HTTP 404 Not Found"


def test_delete_config_of_subject_without_its_own_config_is_40401(
    api: httpx.Client, subject: str
) -> None:
    assert register(api, subject, record("NoCfg", A)).is_success
    response = api.delete(f"/config/{subject}")
    assert error(response) == (404, 40401)
    assert response.json()["message"] == f"Subject '{subject}' not found."
    api.put(f"/config/{subject}", json={"compatibility": "FULL"})
    assert api.delete(f"/config/{subject}").json() == {"compatibilityLevel": "FULL"}
    assert error(api.delete(f"/config/{subject}")) == (404, 40401)


# --- 405 names the methods the resource supports -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/mode", {"GET", "PUT"}),
        ("PUT", "/subjects", {"GET"}),
        ("GET", "/subjects/s", {"DELETE", "POST"}),
        ("GET", "/subjects/a%2Fb", {"DELETE", "POST"}),
        ("PATCH", "/config/s", {"DELETE", "GET", "PUT"}),
        ("TRACE", "/", {"GET"}),
    ],
)
def test_405_carries_allow(api: httpx.Client, method: str, path: str, allowed: set[str]) -> None:
    response = api.request(method, path)
    assert error(response) == (405, 405)
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed


# --- /subjects/{s}/metadata pairs key[i] with value[i], extras ignored --------------------------


def test_metadata_lookup_pairs_keys_and_values_like_confluent(
    api: httpx.Client, subject: str
) -> None:
    schema = record("Meta", A)
    created = api.post(
        f"/subjects/{subject}/versions",
        json={"schema": schema, "metadata": {"properties": {"owner": "team-a"}}},
    )
    assert created.is_success
    url = f"/subjects/{subject}/metadata"
    unpaired_key = api.get(url, params=[("key", "owner"), ("value", "team-a"), ("key", "x")])
    assert unpaired_key.status_code == 200 and unpaired_key.json()["version"] == 1
    lone_value = api.get(url, params={"value": "anything"})
    assert lone_value.status_code == 200 and lone_value.json()["version"] == 1


# --- request bodies are taken as the OpenAPI document states them ------------------------------


def test_bodies_are_valid_exactly_when_the_document_says_so(
    api: httpx.Client, subject: str
) -> None:
    for level_body in (
        {},
        {"compatibility": None},
        {"compatibility": "FULL", "compatibilityLevel": "X"},
    ):
        assert error(api.put(f"/config/{subject}", json=level_body)) == (422, 42203), level_body
    assert api.put(f"/config/{subject}", json={"compatibilityLevel": "full"}).is_success
    assert error(api.put(f"/mode/{subject}", json={})) == (422, 42204)
    schema = record("Strict", A)
    assert error(api.post(f"/subjects/{subject}/versions", json={"schema": None})) == (422, 42201)
    typed = {"schema": schema, "schemaType": "avro"}  # Confluent's type names are case-sensitive
    assert error(api.post(f"/subjects/{subject}/versions", json=typed)) == (422, 42201)
    for loose in ({"references": [{"name": "n", "subject": "s", "version": "1"}]}, {"id": True}):
        response = api.post(f"/subjects/{subject}/versions", json={"schema": schema, **loose})
        assert error(response) == (422, 422), loose  # strict JSON types, as documented
    whole = api.post(f"/subjects/{subject}/versions", json={"schema": schema, "version": 1.0})
    assert error(whole) == (422, 42205)  # 1.0 is an integer (then refused: not in IMPORT mode)
