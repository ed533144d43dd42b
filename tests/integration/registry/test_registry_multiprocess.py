"""Three registry processes serving one PostgreSQL database: concurrent writers on different
processes get one id per schema and gap-free versions, no process serves from its cache what
another process has changed since, and every acknowledged write survives one process's SIGKILL."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from registry_helpers import CT, record

from stack.postgres import PostgresServer
from stack.process import ManagedProcess, free_port
from stack.registry_process import start_registry

pytestmark = pytest.mark.integration


@pytest.fixture
def registries(
    postgres_server: PostgresServer, tmp_path: Path
) -> Iterator[list[tuple[str, ManagedProcess]]]:
    url = postgres_server.create_database(f"registry_{uuid.uuid4().hex[:12]}")
    procs: list[tuple[str, ManagedProcess]] = []
    try:
        for i in range(3):
            port = free_port()
            proc = start_registry(
                port, tmp_path / f"unused-{i}", tmp_path / f"registry-{i}.log", database_url=url
            )
            procs.append((f"http://127.0.0.1:{port}", proc))
        yield procs
    finally:
        for _, proc in procs:
            proc.stop()


def post(url: str, path: str, body: dict) -> httpx.Response:
    with httpx.Client(base_url=url, headers={"Content-Type": CT}, timeout=30) as api:
        return api.post(path, json=body)


def run_all(calls: list[tuple[str, str, dict]]) -> list[httpx.Response]:
    results: list[httpx.Response] = [None] * len(calls)  # type: ignore[list-item]

    def one(i: int) -> None:
        results[i] = post(*calls[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_writers_on_three_processes_get_one_id_and_gap_free_versions(
    registries: list[tuple[str, ManagedProcess]],
) -> None:
    urls = itertools.cycle([u for u, _ in registries])
    same = record("Shared", {"name": "a", "type": "int"})
    calls = [
        (next(urls), f"/subjects/s{i % 4}-value/versions", {"schema": same}) for i in range(24)
    ]
    answers = run_all(calls)
    assert [r.status_code for r in answers] == [200] * 24
    assert len({r.json()["id"] for r in answers}) == 1  # one id, whatever process and subject

    many = [
        record(
            "Many",
            {"name": "a", "type": "int"},
            {"name": f"opt{i}", "type": ["null", "long"], "default": None},
        )
        for i in range(24)
    ]
    answers = run_all([(next(urls), "/subjects/many-value/versions", {"schema": s}) for s in many])
    assert [r.status_code for r in answers] == [200] * 24, [r.text for r in answers][:3]
    assert len({r.json()["id"] for r in answers}) == 24
    for url, _ in registries:
        assert httpx.get(f"{url}/subjects/many-value/versions").json() == list(range(1, 25))
        assert httpx.get(f"{url}/subjects/s3-value/versions").json() == [1]


def test_no_process_serves_what_another_changed_from_its_cache(
    registries: list[tuple[str, ManagedProcess]],
) -> None:
    (a, _), (b, _), _ = registries
    first = record("Fresh", {"name": "a", "type": "int"})
    assert post(a, "/subjects/fresh-value/versions", {"schema": first}).status_code == 200
    assert httpx.get(f"{b}/subjects/fresh-value/versions/latest").json()["version"] == 1  # cached
    assert httpx.get(f"{b}/subjects/fresh-value/versions/1").status_code == 200  # cached too

    second = record(
        "Fresh", {"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": ""}
    )
    new_id = post(a, "/subjects/fresh-value/versions", {"schema": second}).json()["id"]
    latest = httpx.get(f"{b}/subjects/fresh-value/versions/latest").json()
    assert (latest["version"], latest["id"]) == (2, new_id)

    assert httpx.delete(f"{a}/subjects/fresh-value/versions/1").status_code == 200
    gone = httpx.get(f"{b}/subjects/fresh-value/versions/1")
    assert (gone.status_code, gone.json()["error_code"]) == (404, 40402)

    with httpx.Client(base_url=a, headers={"Content-Type": CT}) as api:
        api.put("/config/fresh-value", json={"compatibility": "NONE"})
    assert httpx.get(f"{b}/config/fresh-value").json() == {"compatibilityLevel": "NONE"}


def test_acknowledged_writes_survive_one_process_killed_mid_flow(
    registries: list[tuple[str, ManagedProcess]],
) -> None:
    urls = [u for u, _ in registries]
    acknowledged: list[tuple[str, int, int]] = []
    lock = threading.Lock()

    def writer(k: int) -> None:
        for i in range(15):
            schema = record(f"Kill{k}", {"name": f"f{i}", "type": "int"})
            try:
                r = post(urls[(k + i) % 3], f"/subjects/kill{k}-value/versions", {"schema": schema})
            except httpx.HTTPError:
                continue  # the killed process: not acknowledged
            if r.status_code == 200:
                with httpx.Client() as c:
                    v = c.post(
                        f"{urls[0]}/subjects/kill{k}-value",
                        json={"schema": schema},
                        headers={"Content-Type": CT},
                    ).json()
                with lock:
                    acknowledged.append((f"kill{k}-value", v["version"], r.json()["id"]))

    with httpx.Client(base_url=urls[0], headers={"Content-Type": CT}) as api:
        for k in range(4):
            api.put(f"/config/kill{k}-value", json={"compatibility": "NONE"})
    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    registries[2][1].kill()  # SIGKILL while the writers run
    for t in threads:
        t.join(120)
    assert len(acknowledged) >= 30
    for subject, version, schema_id in acknowledged:
        got = httpx.get(f"{urls[1]}/subjects/{subject}/versions/{version}").json()
        assert got["id"] == schema_id
    for k in range(4):
        versions = httpx.get(f"{urls[0]}/subjects/kill{k}-value/versions").json()
        assert versions == list(range(1, len(versions) + 1))
