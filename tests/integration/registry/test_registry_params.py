"""Query parameters and error codes the other API tests leave out, over real HTTP."""

from __future__ import annotations

import json

import httpx
import pytest
from registry_helpers import body, record

pytestmark = pytest.mark.integration

A = {"name": "a", "type": "int"}
B_OPT = {"name": "b", "type": ["null", "string"], "default": None}
C_OPT = {"name": "c", "type": ["null", "long"], "default": None}


def register(api: httpx.Client, subject: str, schema: str) -> int:
    response = api.post(f"/subjects/{subject}/versions", json=body(schema))
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


def code(response: httpx.Response) -> int:
    return int(response.json()["error_code"])


def three_versions(api: httpx.Client, subject: str) -> list[int]:
    """Versions 1..3 of one record; version 2 soft-deleted."""
    ids = [
        register(api, subject, record("P", A)),
        register(api, subject, record("P", A, B_OPT)),
        register(api, subject, record("P", A, B_OPT, C_OPT)),
    ]
    assert api.delete(f"/subjects/{subject}/versions/2").json() == 2
    return ids


def test_subject_list_deleted_only_offset_limit(api: httpx.Client, subject: str) -> None:
    names = [f"{subject}-{i}" for i in range(4)]
    for name in names:
        register(api, name, record("L", A))
    api.delete(f"/subjects/{names[1]}")  # soft delete
    listed = lambda **p: api.get("/subjects", params={"subjectPrefix": subject, **p}).json()  # noqa: E731
    assert listed() == [names[0], names[2], names[3]]
    assert listed(deleted="true") == names
    assert listed(deletedOnly="true") == [names[1]]
    assert listed(offset=1) == [names[2], names[3]]
    assert listed(limit=2) == [names[0], names[2]]
    assert listed(offset=1, limit=1) == [names[2]]
    assert listed(deleted="true", offset=3, limit=5) == [names[3]]
    assert listed(offset=10) == []
    assert listed(limit=0) == listed(limit=-5) == listed()  # limit <= 0: no limit


def test_version_list_deleted_only_offset_limit(api: httpx.Client, subject: str) -> None:
    three_versions(api, subject)
    versions = lambda **p: api.get(f"/subjects/{subject}/versions", params=p).json()  # noqa: E731
    assert versions() == [1, 3]
    assert versions(deleted="true") == [1, 2, 3]
    assert versions(deletedOnly="true") == [2]
    assert versions(offset=1) == [3]
    assert versions(limit=1) == [1]
    assert versions(deleted="true", offset=1, limit=1) == [2]


def test_version_schema_with_deleted(api: httpx.Client, subject: str) -> None:
    three_versions(api, subject)
    url = f"/subjects/{subject}/versions/2/schema"
    assert code(api.get(url)) == 40402
    assert api.get(url, params={"deleted": "true"}).json() == json.loads(record("P", A, B_OPT))


def test_schemas_list_deleted_offset_limit(api: httpx.Client, subject: str) -> None:
    ids = three_versions(api, subject)

    def listed(**params: object) -> list[tuple[int, int]]:
        got = api.get("/schemas", params={"subjectPrefix": subject, **params}).json()
        return [(s["version"], s["id"]) for s in got]

    assert listed() == [(1, ids[0]), (3, ids[2])]
    assert listed(deleted="true") == [(1, ids[0]), (2, ids[1]), (3, ids[2])]
    assert listed(offset=1) == [(3, ids[2])]
    assert listed(limit=1) == [(1, ids[0])]
    assert listed(deleted="true", offset=1, limit=1) == [(2, ids[1])]
    assert listed(deleted="true", latestOnly="true") == [(3, ids[2])]


def test_schema_id_subjects_and_versions_params(api: httpx.Client, subject: str) -> None:
    names = [f"{subject}-{i}" for i in range(3)]
    schema = record("Shared", A)
    sid = [register(api, name, schema) for name in names][0]
    api.delete(f"/subjects/{names[2]}")  # soft delete: only seen with deleted=true
    for path, expect in (
        ("subjects", names),
        ("versions", [{"subject": n, "version": 1} for n in names]),
    ):
        url = f"/schemas/ids/{sid}/{path}"
        mine = lambda **p: [x for x in api.get(url, params=p).json() if subject in str(x)]  # noqa: E731, B023
        assert mine() == expect[:2]
        assert mine(deleted="true") == expect
        assert mine(subject=names[1]) == expect[1:2]
        assert mine(subject=names[2]) == []
        assert mine(subject=names[2], deleted="true") == expect[2:]
        assert mine(subject=names[0], offset=1) == []
        assert mine(subject=names[0], limit=0) == expect[:1]  # limit <= 0: no limit
        everything = api.get(url, params={"deleted": "true"}).json()
        paged = api.get(url, params={"deleted": "true", "offset": 1, "limit": 2}).json()
        assert paged == everything[1:3]


def test_schema_by_id_format_is_ignored(api: httpx.Client, subject: str) -> None:
    sid = register(api, subject, record("F", A))
    plain = api.get(f"/schemas/ids/{sid}").json()
    assert api.get(f"/schemas/ids/{sid}", params={"format": "resolved"}).json() == plain


def test_normalize_on_compatibility_endpoints(api: httpx.Client, subject: str) -> None:
    register(api, subject, record("N", A))
    # Same schema, other key order and whitespace: compatible with or without normalize.
    spelled = json.dumps({"fields": [A, B_OPT], "name": "N", "type": "record"}, indent=2)
    bad = record("N", A, {"name": "b", "type": "string"})
    for url in (
        f"/compatibility/subjects/{subject}/versions",
        f"/compatibility/subjects/{subject}/versions/latest",
        f"/compatibility/subjects/{subject}/versions/1",
    ):
        for normalize in ("true", "false"):
            params = {"normalize": normalize}
            ok = api.post(url, json=body(spelled), params=params)
            assert ok.json() == {"is_compatible": True}
            assert api.post(url, json=body(bad), params=params).json()["is_compatible"] is False


def test_put_global_mode_force_and_readonly(api: httpx.Client, subject: str) -> None:
    register(api, subject, record("M", A))  # the registry has subjects now
    try:
        refused = api.put("/mode", json={"mode": "IMPORT"})
        assert refused.status_code == 422 and code(refused) == 42205
        assert api.get("/mode").json() == {"mode": "READWRITE"}
        forced = api.put("/mode", json={"mode": "IMPORT"}, params={"force": "true"})
        assert forced.json() == {"mode": "IMPORT"} and api.get("/mode").json() == forced.json()
        assert api.put("/mode", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
        blocked = api.post(f"/subjects/{subject}/versions", json=body(record("M", A, B_OPT)))
        assert blocked.status_code == 422 and code(blocked) == 42205
        # A subject's own mode wins over the global one.
        api.put(f"/mode/{subject}", json={"mode": "READWRITE"})
        assert api.post(
            f"/subjects/{subject}/versions", json=body(record("M", A, B_OPT))
        ).is_success
    finally:
        api.put("/mode", json={"mode": "READWRITE"})
        api.delete(f"/mode/{subject}")
    assert api.get("/mode").json() == {"mode": "READWRITE"}


def test_get_subject_mode_default_to_global(api: httpx.Client, subject: str) -> None:
    register(api, subject, record("G", A))
    assert code(api.get(f"/mode/{subject}")) == 40409
    got = api.get(f"/mode/{subject}", params={"defaultToGlobal": "true"})
    assert got.json() == api.get("/mode").json() == {"mode": "READWRITE"}
    api.put(f"/mode/{subject}", json={"mode": "READONLY"})
    own = api.get(f"/mode/{subject}", params={"defaultToGlobal": "true"}).json()
    assert own == {"mode": "READONLY"}
    api.delete(f"/mode/{subject}")


def test_wrong_method_is_405(api: httpx.Client) -> None:
    for method, url in (("DELETE", "/mode"), ("PUT", "/subjects"), ("POST", "/schemas/types")):
        response = api.request(method, url)
        assert response.status_code == 405 and code(response) == 405, (method, url)


def test_invalid_subject_is_42208(api: httpx.Client, subject: str) -> None:
    for bad in (f"{subject}%01", f"{subject}%0A", "%09"):
        for method, url in (
            ("POST", f"/subjects/{bad}/versions"),
            ("GET", f"/subjects/{bad}/versions"),
            ("GET", f"/config/{bad}"),
        ):
            response = api.request(method, url, json=body(record("I", A)))
            assert response.status_code == 422 and code(response) == 42208, (method, url)


def test_unknown_guid_is_40403(api: httpx.Client) -> None:
    response = api.get("/schemas/guids/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and code(response) == 40403


def test_delete_mode_of_unknown_subject_is_40401(api: httpx.Client, subject: str) -> None:
    response = api.delete(f"/mode/{subject}")
    assert response.status_code == 404 and code(response) == 40401
