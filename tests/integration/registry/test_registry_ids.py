"""Schema ids never change meaning: an id denotes one schema text with one resolution of its
references, across soft and hard deletes; ids and versions stay inside the wire format's int32
in every mode."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from registry_helpers import CT, body, record

from registry.service.identity import fingerprint
from stack.process import free_port
from stack.registry_process import start_registry

pytestmark = pytest.mark.integration

MAX_INT32 = 2**31 - 1


def error_code(r: httpx.Response) -> int | None:
    return r.json().get("error_code") if r.status_code >= 400 else None


def shared(name: str, field: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": "ids",
            "fields": [{"name": field, "type": "string"}],
        }
    )


def test_an_id_keeps_its_references_across_hard_deletes(api: httpx.Client, subject: str) -> None:
    a, b = f"{subject}-a", f"{subject}-b"
    first_a, other_a = shared("Shared", "first"), shared("Shared", "other")
    using = record("User", {"name": "s", "type": "ids.Shared"})
    refs = [{"name": "ids.Shared", "subject": a, "version": 1}]
    a_id = api.post(f"/subjects/{a}/versions", json=body(first_a)).json()["id"]
    b_id = api.post(f"/subjects/{b}/versions", json=body(using, references=refs)).json()["id"]
    assert api.delete(f"/subjects/{b}/versions/1").status_code == 200  # soft
    assert api.delete(f"/subjects/{a}/versions/1").status_code == 200  # soft: nothing live uses it
    # b's id is still served (its version is only soft-deleted): what it references must stay
    r = api.delete(f"/subjects/{a}/versions/1", params={"permanent": "true"})
    assert (r.status_code, error_code(r)) == (422, 42206), r.text
    r = api.delete(f"/subjects/{a}", params={"permanent": "true"})
    assert (r.status_code, error_code(r)) == (422, 42206), r.text
    served = api.get(f"/schemas/ids/{b_id}").json()
    assert served["references"] == refs
    assert api.get(f"/subjects/{a}/versions/1", params={"deleted": "true"}).json()["id"] == a_id
    # once nothing serves b's id, `a` may go, and its version 1 may become another schema...
    assert api.delete(f"/subjects/{b}/versions/1", params={"permanent": "true"}).json() == 1
    assert api.delete(f"/subjects/{a}/versions/1", params={"permanent": "true"}).json() == 1
    other_id = api.post(f"/subjects/{a}/versions", json=body(other_a)).json()["id"]
    assert other_id != a_id and api.get(f"/subjects/{a}/versions").json() == [1]
    # ...and the same text with the same reference is then another schema: a new id
    again = api.post(f"/subjects/{b}/versions", json=body(using, references=refs)).json()["id"]
    assert again != b_id
    assert api.get(f"/schemas/ids/{b_id}").status_code == 404
    assert api.post(f"/subjects/{b}", json=body(using, references=refs)).json()["id"] == again
    # a reference to another version of `a` is another schema again, even with the first text
    for name in (a, b):
        api.put(f"/config/{name}", json={"compatibility": "NONE"})
    assert api.post(f"/subjects/{a}/versions", json=body(first_a)).json()["id"] == a_id
    refs_v2 = [{"name": "ids.Shared", "subject": a, "version": 2}]
    third = api.post(f"/subjects/{b}/versions", json=body(using, references=refs_v2)).json()["id"]
    assert third not in (b_id, again)


def test_reference_fingerprints_of_an_older_data_dir_are_upgraded(tmp_path: Path) -> None:
    """Rows written before ids were bound to what their references resolve to keep their ids."""
    data_dir = tmp_path / "data"
    port = free_port()
    proc = start_registry(port, data_dir, tmp_path / "registry.log")
    url = f"http://127.0.0.1:{port}"
    using = record("User", {"name": "s", "type": "ids.Shared"})
    refs = [{"name": "ids.Shared", "subject": "a", "version": 1}]
    try:
        with httpx.Client(base_url=url, headers={"Content-Type": CT}) as api:
            assert api.post("/subjects/a/versions", json=body(shared("Shared", "x"))).json() == {
                "id": 1
            }
            assert api.post("/subjects/b/versions", json=body(using, references=refs)).json() == {
                "id": 2
            }
    finally:
        proc.stop()
    # rewrite row 2 as the older release stored it: references by subject/version only
    canonical = json.dumps(json.loads(using), sort_keys=True, separators=(",", ":"))
    old = fingerprint("AVRO", canonical, refs)
    conn = sqlite3.connect(data_dir / "registry.sqlite3")
    conn.execute("UPDATE schemas SET fingerprint=?, base_fingerprint=? WHERE id=2", (old, old))
    conn.execute("PRAGMA user_version=1")  # before the reference-id upgrade
    conn.commit()
    conn.close()
    proc = start_registry(port, data_dir, tmp_path / "registry2.log")
    try:
        with httpx.Client(base_url=url, headers={"Content-Type": CT}) as api:
            assert api.post("/subjects/b/versions", json=body(using, references=refs)).json() == {
                "id": 2
            }
            assert api.post("/subjects/c/versions", json=body(using, references=refs)).json() == {
                "id": 2
            }
            assert api.post("/subjects/b", json=body(using, references=refs)).json()["id"] == 2
    finally:
        proc.stop()


def test_ids_and_versions_stay_inside_int32_in_import_mode(tmp_path: Path) -> None:
    """On a registry of its own: the session's registry must not hold id 2147483647."""
    port = free_port()
    proc = start_registry(port, tmp_path / "data", tmp_path / "registry.log")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Content-Type": CT}) as api:
            _fill_to_the_top(api, "imp-value", "other-value")
    finally:
        proc.stop()


def _fill_to_the_top(api: httpx.Client, imported: str, other: str) -> None:
    assert api.put(f"/mode/{imported}", json={"mode": "IMPORT"}).status_code == 200
    top = record("Top", {"name": "a", "type": "int"})
    r = api.post(f"/subjects/{imported}/versions", json=body(top, id=MAX_INT32, version=MAX_INT32))
    assert r.json() == {"id": MAX_INT32}, r.text
    assert api.put(f"/mode/{imported}", json={"mode": "READWRITE"}).status_code == 200
    # the next id is not MAX_INT32 + 1: an id never given, inside int32
    r = api.post(
        f"/subjects/{other}/versions", json=body(record("Next", {"name": "b", "type": "int"}))
    )
    assert r.status_code == 200 and 0 < r.json()["id"] < MAX_INT32
    # no version after the largest one: refused, not 2147483648
    grown = record("Top", {"name": "a", "type": "int"}, {"name": "c", "type": "int", "default": 0})
    r = api.post(f"/subjects/{imported}/versions", json=body(grown))
    assert (r.status_code, error_code(r)) == (422, 42205) and str(MAX_INT32) in r.json()["message"]
    assert api.get(f"/subjects/{imported}/versions").json() == [MAX_INT32]
    assert api.get(f"/subjects/{imported}/versions/{MAX_INT32}").json()["id"] == MAX_INT32
    assert api.get(f"/schemas/ids/{MAX_INT32}").status_code == 200
    assert api.delete(f"/subjects/{imported}/versions/{MAX_INT32}").json() == MAX_INT32
