"""The REST API over real HTTP: every endpoint, and every error code it can answer."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from registry_helpers import CT, body, record

pytestmark = pytest.mark.integration

A = {"name": "a", "type": "int"}
B_OPT = {"name": "b", "type": ["null", "string"], "default": None}
B_REQ = {"name": "b", "type": "string"}


def register(api: httpx.Client, subject: str, schema: str, **params: object) -> httpx.Response:
    return api.post(f"/subjects/{subject}/versions", json=body(schema), params=params)


def error_code(response: httpx.Response) -> int:
    return int(response.json()["error_code"])


def test_root_health_and_content_type(api: httpx.Client) -> None:
    root = api.get("/")
    assert root.status_code == 200 and root.json() == {}
    assert root.headers["content-type"] == CT
    assert api.get("/health").status_code == 200
    assert api.get("/schemas/types").json() == ["AVRO"]


@pytest.mark.parametrize(
    "content_type", [CT, "application/vnd.schemaregistry+json", "application/json"]
)
def test_register_accepts_each_content_type(
    api: httpx.Client, subject: str, content_type: str
) -> None:
    response = api.post(
        f"/subjects/{subject}/versions",
        content=json.dumps(body(record("CT", A))),
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 200 and isinstance(response.json()["id"], int)


def test_register_get_and_list(api: httpx.Client, subject: str) -> None:
    v1 = record("Order", A)
    id1 = register(api, subject, v1).json()["id"]
    id2 = register(api, subject, record("Order", A, B_OPT)).json()["id"]
    assert id2 != id1
    assert api.get(f"/subjects/{subject}/versions").json() == [1, 2]
    got = api.get(f"/subjects/{subject}/versions/1").json()
    assert got == {"subject": subject, "version": 1, "id": id1, "schema": v1, "guid": got["guid"]}
    for latest in ("latest", "-1"):
        assert api.get(f"/subjects/{subject}/versions/{latest}").json()["version"] == 2
    assert api.get(f"/subjects/{subject}/versions/1/schema").json() == json.loads(v1)
    assert subject in api.get("/subjects").json()
    assert api.get("/subjects", params={"subjectPrefix": subject}).json() == [subject]
    by_id = api.get(f"/schemas/ids/{id1}", params={"fetchMaxId": "true"}).json()
    assert by_id["schema"] == v1 and by_id["maxId"] >= id2
    assert api.get(f"/schemas/ids/{id1}/schema").json() == json.loads(v1)
    assert api.get(f"/schemas/ids/{id1}", params={"subject": subject}).json()["schema"] == v1
    r = api.get(f"/schemas/ids/{id1}", params={"subject": subject + "-other"})
    assert (r.status_code, error_code(r)) == (404, 40403)
    assert api.get(f"/schemas/ids/{id1}/subjects").json() == [subject]
    assert api.get(f"/schemas/ids/{id1}/versions").json() == [{"subject": subject, "version": 1}]
    assert api.get(f"/schemas/guids/{by_id['guid']}").json()["schema"] == v1
    listed = api.get("/schemas", params={"subjectPrefix": subject, "latestOnly": "true"}).json()
    assert [(s["subject"], s["version"]) for s in listed] == [(subject, 2)]


def test_same_schema_same_id_across_subjects_and_reregistration(
    api: httpx.Client, subject: str
) -> None:
    schema = record("Shared", A, {"name": "tag", "type": "string", "default": "x"})
    first = register(api, subject, schema).json()["id"]
    assert register(api, subject, schema).json()["id"] == first
    assert api.get(f"/subjects/{subject}/versions").json() == [1]  # no new version
    assert register(api, subject + "-other", schema).json()["id"] == first
    # whitespace and key order do not make a new schema
    reordered = {"fields": json.loads(schema)["fields"], "name": "Shared", "type": "record"}
    spaced = json.dumps(reordered, indent=2)
    assert register(api, subject, spaced).json()["id"] == first
    # but a different default does
    changed = record("Shared", A, {"name": "tag", "type": "string", "default": "y"})
    assert register(api, subject, changed).json()["id"] != first


def test_normalize_matches_equivalent_spellings(api: httpx.Client, subject: str) -> None:
    plain = json.dumps(
        {"type": "record", "name": "N", "namespace": "x", "fields": [{"name": "a", "type": "int"}]}
    )
    wrapped = json.dumps(
        {"type": "record", "name": "x.N", "fields": [{"name": "a", "type": {"type": "int"}}]}
    )
    first = register(api, subject, plain, normalize="true").json()["id"]
    assert register(api, subject, wrapped, normalize="true").json()["id"] == first
    found = api.post(f"/subjects/{subject}", json=body(wrapped), params={"normalize": "true"})
    assert found.status_code == 200 and found.json()["id"] == first
    # a schema registered as written is found, and not re-registered, through its normal form
    # (`wrapped` is already normal: `{"type": "int"}` is "int", and its name is a full name)
    other = subject + "-raw"
    raw_id = register(api, other, plain).json()["id"]
    assert raw_id != first
    found = api.post(f"/subjects/{other}", json=body(wrapped), params={"normalize": "true"})
    assert found.status_code == 200 and found.json()["id"] == raw_id
    assert register(api, other, wrapped, normalize="true").json()["id"] == raw_id
    assert api.get(f"/subjects/{other}/versions").json() == [1]


def test_lookup(api: httpx.Client, subject: str) -> None:
    schema = record("Look", A)
    sid = register(api, subject, schema).json()["id"]
    found = api.post(f"/subjects/{subject}", json=body(schema))
    assert found.status_code == 200
    assert (
        found.json()["id"] == sid
        and found.json()["version"] == 1
        and found.json()["subject"] == subject
    )
    missing = api.post(f"/subjects/{subject}", json=body(record("Look", A, B_OPT)))
    assert missing.status_code == 404 and error_code(missing) == 40403
    no_subject = api.post(f"/subjects/{subject}-nope", json=body(schema))
    assert no_subject.status_code == 404 and error_code(no_subject) == 40401
    api.delete(f"/subjects/{subject}/versions/1")
    assert error_code(api.post(f"/subjects/{subject}", json=body(schema))) == 40401
    assert (
        api.post(f"/subjects/{subject}", json=body(schema), params={"deleted": "true"}).json()["id"]
        == sid
    )


def test_not_found_codes(api: httpx.Client, subject: str) -> None:
    r = api.get(f"/subjects/{subject}/versions")
    assert (r.status_code, error_code(r)) == (404, 40401)
    r = api.get(f"/subjects/{subject}/versions/1")
    assert (r.status_code, error_code(r)) == (404, 40401)
    register(api, subject, record("NF", A))
    r = api.get(f"/subjects/{subject}/versions/9")
    assert (r.status_code, error_code(r)) == (404, 40402)
    r = api.get("/schemas/ids/987654321")
    assert (r.status_code, error_code(r)) == (404, 40403)
    r = api.get("/no/such/path")
    assert r.status_code == 404 and error_code(r) == 404


@pytest.mark.parametrize("version", ["0", "abc", "2147483648", "-2", "1.5"])
def test_invalid_version_is_42202(api: httpx.Client, subject: str, version: str) -> None:
    register(api, subject, record("IV", A))
    r = api.get(f"/subjects/{subject}/versions/{version}")
    assert (r.status_code, error_code(r)) == (422, 42202)


def test_soft_and_hard_delete_lifecycle(api: httpx.Client, subject: str) -> None:
    register(api, subject, record("Del", A))
    register(api, subject, record("Del", A, B_OPT))
    # version level
    r = api.delete(f"/subjects/{subject}/versions/1", params={"permanent": "true"})
    assert (r.status_code, error_code(r)) == (404, 40407)
    assert api.delete(f"/subjects/{subject}/versions/1").json() == 1
    r = api.delete(f"/subjects/{subject}/versions/1")
    assert (r.status_code, error_code(r)) == (404, 40406)
    r = api.get(f"/subjects/{subject}/versions/1")
    assert (r.status_code, error_code(r)) == (404, 40402)
    assert (
        api.get(f"/subjects/{subject}/versions/1", params={"deleted": "true"}).json()["deleted"]
        is True
    )
    assert api.get(f"/subjects/{subject}/versions").json() == [2]
    assert api.get(f"/subjects/{subject}/versions", params={"deleted": "true"}).json() == [1, 2]
    assert api.delete(f"/subjects/{subject}/versions/1", params={"permanent": "true"}).json() == 1
    assert api.get(f"/subjects/{subject}/versions", params={"deleted": "true"}).json() == [2]
    # subject level
    r = api.delete(f"/subjects/{subject}", params={"permanent": "true"})
    assert (r.status_code, error_code(r)) == (404, 40405)
    assert api.delete(f"/subjects/{subject}").json() == [2]
    r = api.delete(f"/subjects/{subject}")
    assert (r.status_code, error_code(r)) == (404, 40404)
    assert subject not in api.get("/subjects").json()
    assert subject in api.get("/subjects", params={"deleted": "true"}).json()
    assert api.delete(f"/subjects/{subject}", params={"permanent": "true"}).json() == [2]
    r = api.delete(f"/subjects/{subject}")
    assert (r.status_code, error_code(r)) == (404, 40401)
    # after a hard delete the subject starts again at version 1
    register(api, subject, record("Del", A))
    assert api.get(f"/subjects/{subject}/versions").json() == [1]


def test_incompatible_registration_is_409_with_explanation(api: httpx.Client, subject: str) -> None:
    register(api, subject, record("Inc", A))
    r = register(api, subject, record("Inc", A, B_REQ))
    assert r.status_code == 409 and error_code(r) == 409
    message = r.json()["message"]
    for part in ("/fields/1", "'b'", "BACKWARD", "version 1", "add a default to field 'b'"):
        assert part in message


def test_invalid_schema_is_42201_with_reason(api: httpx.Client, subject: str) -> None:
    bad_default = record("Bad", {"name": "qty", "type": "int", "default": "abc"})
    r = register(api, subject, bad_default)
    assert (r.status_code, error_code(r)) == (422, 42201) and "qty" in r.json()["message"]
    for text in [
        "not json",
        record("Dup", A, A),
        record("U", {"name": "x", "type": "Unknown"}),
        "",
    ]:
        r = register(api, subject, text)
        assert (r.status_code, error_code(r)) == (422, 42201), text
    r = api.post(
        f"/subjects/{subject}/versions", json={"schema": record("P", A), "schemaType": "PROTOBUF"}
    )
    assert (r.status_code, error_code(r)) == (422, 42201)


def test_malformed_and_oversized_bodies_are_4xx(api: httpx.Client, subject: str) -> None:
    r = api.post(f"/subjects/{subject}/versions", content=b"{not json")
    assert r.status_code == 400 and error_code(r) == 400
    r = api.post(f"/subjects/{subject}/versions", content=b'{"schema": 5}')
    assert r.status_code == 422 and error_code(r) == 422
    r = api.post(f"/subjects/{subject}/versions", content=b"[1, 2]")
    assert r.status_code == 422
    huge = b'{"schema": "' + b"x" * (16 * 1024 * 1024 + 10) + b'"}'
    r = api.post(f"/subjects/{subject}/versions", content=huge)
    assert r.status_code == 413 and error_code(r) == 413


def test_compatibility_endpoints(api: httpx.Client, subject: str) -> None:
    url = f"/compatibility/subjects/{subject}/versions"
    # no versions yet: anything is compatible with "latest" and with all
    assert api.post(f"{url}/latest", json=body(record("C", A))).json() == {"is_compatible": True}
    assert api.post(url, json=body(record("C", A))).json() == {"is_compatible": True}
    r = api.post(f"{url}/3", json=body(record("C", A)))
    assert (r.status_code, error_code(r)) == (404, 40402)
    register(api, subject, record("C", A))
    ok = api.post(f"{url}/1", json=body(record("C", A, B_OPT)), params={"verbose": "true"}).json()
    assert ok == {"is_compatible": True, "messages": []}
    bad = api.post(url, json=body(record("C", A, B_REQ)), params={"verbose": "True"}).json()
    assert bad["is_compatible"] is False and "/fields/1" in bad["messages"][0]
    assert api.post(f"{url}/latest", json=body(record("C", A, B_REQ))).json() == {
        "is_compatible": False
    }
    r = api.post(f"{url}/latest", json=body("{"))
    assert (r.status_code, error_code(r)) == (422, 42201)
    r = api.post(f"{url}/zero", json=body(record("C", A)))
    assert (r.status_code, error_code(r)) == (422, 42202)


def test_transitive_level_via_subject_config(api: httpx.Client, subject: str) -> None:
    assert api.put(f"/config/{subject}", json={"compatibility": "FULL_TRANSITIVE"}).json() == {
        "compatibility": "FULL_TRANSITIVE"
    }
    register(api, subject, record("T", A))
    register(api, subject, record("T", A, B_OPT))
    no_default = record("T", A, {"name": "b", "type": ["null", "string"]})
    r = register(api, subject, no_default)
    assert (
        r.status_code == 409
        and "FULL_TRANSITIVE" in r.json()["message"]
        and "version 1" in r.json()["message"]
    )
    api.put(f"/config/{subject}", json={"compatibility": "FULL"})
    assert register(api, subject, no_default).status_code == 200


def test_config_endpoints(api: httpx.Client, subject: str) -> None:
    assert api.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    r = api.get(f"/config/{subject}")
    assert (r.status_code, error_code(r)) == (404, 40408)
    assert api.get(f"/config/{subject}", params={"defaultToGlobal": "true"}).json() == {
        "compatibilityLevel": "BACKWARD"
    }
    r = api.put(f"/config/{subject}", json={"compatibility": "SIDEWAYS"})
    assert (r.status_code, error_code(r)) == (422, 42203)
    assert api.put(f"/config/{subject}", json={"compatibility": "none"}).json() == {
        "compatibility": "NONE"
    }
    assert api.get(f"/config/{subject}").json() == {"compatibilityLevel": "NONE"}
    register(api, subject, record("Cfg", A))
    assert register(api, subject, record("Cfg", {"name": "z", "type": "string"})).status_code == 200
    assert api.delete(f"/config/{subject}").json() == {"compatibilityLevel": "NONE"}
    assert error_code(api.get(f"/config/{subject}")) == 40408
    r = api.delete(f"/config/{subject}-never")
    assert (r.status_code, error_code(r)) == (404, 40401)
    # global: change and restore
    try:
        assert api.put("/config", json={"compatibility": "FORWARD"}).json() == {
            "compatibility": "FORWARD"
        }
        assert api.get("/config").json() == {"compatibilityLevel": "FORWARD"}
    finally:
        api.delete("/config")
    assert api.get("/config").json() == {"compatibilityLevel": "BACKWARD"}


def test_mode_readonly_and_invalid(api: httpx.Client, subject: str) -> None:
    assert api.get("/mode").json() == {"mode": "READWRITE"}
    r = api.get(f"/mode/{subject}")
    assert (r.status_code, error_code(r)) == (404, 40409)
    r = api.put(f"/mode/{subject}", json={"mode": "WRITEONLY"})
    assert (r.status_code, error_code(r)) == (422, 42204)
    register(api, subject, record("Mode", A))
    assert api.put(f"/mode/{subject}", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
    r = register(api, subject, record("Mode", A, B_OPT))
    assert (r.status_code, error_code(r)) == (422, 42205)
    r = api.delete(f"/subjects/{subject}/versions/1")
    assert (r.status_code, error_code(r)) == (422, 42205)
    assert api.get(f"/subjects/{subject}/versions/1").status_code == 200  # reads still work
    assert api.delete(f"/mode/{subject}").json() == {"mode": "READONLY"}
    assert register(api, subject, record("Mode", A, B_OPT)).status_code == 200


def test_import_mode_with_explicit_id_and_version(api: httpx.Client, subject: str) -> None:
    schema = record("Imp", A, {"name": "imported", "type": "boolean", "default": True})
    r = api.post(f"/subjects/{subject}/versions", json=body(schema, id=900001, version=5))
    assert (r.status_code, error_code(r)) == (422, 42205)  # not in IMPORT mode
    assert api.put(f"/mode/{subject}", json={"mode": "IMPORT"}).json() == {"mode": "IMPORT"}
    r = api.post(f"/subjects/{subject}/versions", json=body(schema, id=900001, version=5))
    assert r.status_code == 200 and r.json() == {"id": 900001}
    got = api.get(f"/subjects/{subject}/versions/5").json()
    assert got["id"] == 900001 and got["version"] == 5
    other = record("Imp2", A)
    r = api.post(f"/subjects/{subject}/versions", json=body(other, id=900001, version=6))
    assert (r.status_code, error_code(r)) == (422, 42205)  # id taken by another schema
    api.put(f"/mode/{subject}", json={"mode": "READWRITE"})
    # IMPORT on a subject that has schemas needs force
    r = api.put(f"/mode/{subject}", json={"mode": "IMPORT"})
    assert (r.status_code, error_code(r)) == (422, 42205)
    assert (
        api.put(f"/mode/{subject}", json={"mode": "IMPORT"}, params={"force": "true"}).status_code
        == 200
    )


def test_references_and_referencedby(api: httpx.Client, subject: str) -> None:
    meta_subject = subject + "-meta"
    meta = json.dumps(
        {
            "type": "record",
            "name": "Meta",
            "namespace": "ev",
            "fields": [{"name": "id", "type": "string"}],
        }
    )
    register(api, meta_subject, meta)
    event = record("Event", {"name": "meta", "type": "ev.Meta"}, A)
    r = register(api, subject, event)
    assert (r.status_code, error_code(r)) == (422, 42201)  # unresolved without references
    refs = [{"name": "ev.Meta", "subject": meta_subject, "version": 1}]
    r = api.post(f"/subjects/{subject}/versions", json=body(event, references=refs))
    assert r.status_code == 200
    event_id = r.json()["id"]
    got = api.get(f"/subjects/{subject}/versions/latest").json()
    assert got["references"] == refs
    assert api.get(f"/schemas/ids/{event_id}").json()["references"] == refs
    assert api.get(f"/subjects/{meta_subject}/versions/1/referencedby").json() == [event_id]
    r = api.delete(f"/subjects/{meta_subject}/versions/1")
    assert (r.status_code, error_code(r)) == (422, 42206)
    r = api.delete(f"/subjects/{meta_subject}")
    assert (r.status_code, error_code(r)) == (422, 42206)
    bad_ref = [{"name": "ev.Meta", "subject": meta_subject, "version": 7}]
    r = api.post(f"/subjects/{subject}/versions", json=body(event, references=bad_ref))
    assert (r.status_code, error_code(r)) == (422, 42201)
    # once the referencing subject is gone, the reference may be deleted
    api.delete(f"/subjects/{subject}")
    assert api.get(f"/subjects/{meta_subject}/versions/1/referencedby").json() == []
    assert api.delete(f"/subjects/{meta_subject}/versions/1").json() == 1


@pytest.mark.parametrize("name", ["team/orders", "x/versions", "a/b/c", "pct%41/%2F"])
def test_subject_with_slash_is_routable_when_encoded(
    api: httpx.Client, subject: str, name: str
) -> None:
    full = f"{subject}-{name}"
    enc = quote(full, safe="")
    schema = record("Slash", A)
    sid = register(api, enc, schema).json()["id"]
    assert api.get(f"/subjects/{enc}/versions").json() == [1]
    got = api.get(f"/subjects/{enc}/versions/1").json()
    assert (got["subject"], got["id"]) == (full, sid)
    assert api.get(f"/subjects/{enc}/versions/latest/schema").json() == json.loads(schema)
    assert api.post(f"/subjects/{enc}", json=body(schema)).json()["subject"] == full
    assert api.get("/subjects", params={"subjectPrefix": subject}).json() == [full]
    assert full in api.get(f"/schemas/ids/{sid}/subjects").json()
    assert api.get(f"/schemas/ids/{sid}", params={"subject": full}).status_code == 200
    assert api.put(f"/config/{enc}", json={"compatibility": "FULL"}).status_code == 200
    assert api.get(f"/config/{enc}").json() == {"compatibilityLevel": "FULL"}
    assert api.put(f"/mode/{enc}", json={"mode": "READWRITE"}).json() == {"mode": "READWRITE"}
    assert api.delete(f"/mode/{enc}").status_code == 200
    check = api.post(f"/compatibility/subjects/{enc}/versions/latest", json=body(schema))
    assert check.json() == {"is_compatible": True}
    assert api.get(f"/subjects/{enc}/metadata").json()["subject"] == full
    assert api.delete(f"/subjects/{enc}/versions/1").json() == 1
    assert api.delete(f"/subjects/{enc}", params={"permanent": "true"}).json() == [1]
    # An unencoded slash is a path separator, as in Confluent: no such route.
    assert api.get(f"/subjects/{subject}/x/versions").status_code == 404
