"""Durability (kill -9 and restart), concurrent registrations, and basic auth, each on its own
registry process; durability and concurrency on both stores (SQLite data dir, PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from registry_helpers import CT, record

from stack.postgres import PostgresServer
from stack.process import ManagedProcess, free_port
from stack.registry_process import registry_process, start_registry

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str:
    """ "" (the data dir's SQLite) or a fresh PostgreSQL database for the registry."""
    if request.param == "sqlite":
        return ""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"registry_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def own_registry(tmp_path: Path, store_url: str) -> Iterator[tuple[str, Path, ManagedProcess]]:
    port = free_port()
    proc = start_registry(
        port, tmp_path / "data", tmp_path / "registry.log", database_url=store_url
    )
    yield f"http://127.0.0.1:{port}", tmp_path / "data", proc
    proc.stop()


def test_acknowledged_writes_survive_kill_9(
    own_registry: tuple[str, Path, ManagedProcess], tmp_path: Path, store_url: str
) -> None:
    url, data_dir, proc = own_registry
    expected: dict[tuple[str, int], tuple[int, str]] = {}
    with httpx.Client(base_url=url, headers={"Content-Type": CT}) as api:
        api.put("/config/kept-value", json={"compatibility": "FULL"})
        for i in range(12):
            subject = f"s{i % 3}-value"
            fields = [
                {"name": f"f{j}", "type": ["null", "int"], "default": None}
                for j in range(i // 3 + 1)
            ]
            schema = record("Kept", *fields)
            r = api.post(f"/subjects/{subject}/versions", json={"schema": schema})
            assert r.status_code == 200
            version = api.post(f"/subjects/{subject}", json={"schema": schema}).json()["version"]
            expected[(subject, version)] = (r.json()["id"], schema)
        api.delete("/subjects/s2-value/versions/1")
    proc.kill()  # SIGKILL: no shutdown hooks, no checkpoint
    port = int(url.rsplit(":", 1)[1])
    restarted = start_registry(port, data_dir, tmp_path / "registry2.log", database_url=store_url)
    try:
        with httpx.Client(base_url=url) as api:
            for (subject, version), (sid, schema) in expected.items():
                got = api.get(
                    f"/subjects/{subject}/versions/{version}", params={"deleted": "true"}
                ).json()
                assert (got["id"], got["schema"]) == (sid, schema)
                assert api.get(f"/schemas/ids/{sid}").json()["schema"] == schema
            assert api.get("/subjects/s2-value/versions").json() == [2, 3, 4]
            assert api.get("/config/kept-value").json() == {"compatibilityLevel": "FULL"}
            # ids keep counting from where they were
            r = api.post(
                "/subjects/new-value/versions",
                json={"schema": record("New", {"name": "x", "type": "int"})},
            )
            assert r.json()["id"] > max(sid for sid, _ in expected.values())
    finally:
        restarted.stop()


def test_concurrent_registrations(
    own_registry: tuple[str, Path, ManagedProcess], subject: str
) -> None:
    registry_url = own_registry[0]
    same = record("Conc", {"name": "a", "type": "int"})
    ids: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def register(schema: str, target: str) -> None:
        with httpx.Client(base_url=registry_url, timeout=30) as api:
            r = api.post(f"/subjects/{target}/versions", json={"schema": schema})
            with lock:
                if r.status_code == 200:
                    ids.append(r.json()["id"])
                else:
                    errors.append(r.text)

    # the same schema from 16 threads: one id, one version
    threads = [threading.Thread(target=register, args=(same, subject)) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 1
    assert httpx.get(f"{registry_url}/subjects/{subject}/versions").json() == [1]

    # 16 different (mutually compatible) schemas under one subject: distinct ids, gap-free versions
    ids.clear()
    other = subject + "-many"
    schemas = [
        record(
            "Many",
            {"name": "a", "type": "int"},
            {"name": f"opt{i}", "type": ["null", "long"], "default": None},
        )
        for i in range(16)
    ]
    threads = [threading.Thread(target=register, args=(s, other)) for s in schemas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 16
    assert httpx.get(f"{registry_url}/subjects/{other}/versions").json() == list(range(1, 17))


def test_basic_auth_readonly_and_readwrite_users(tmp_path: Path) -> None:
    auth = tmp_path / "users.txt"
    auth.write_text("# user:password:role\nreader:r-pass:readonly\nwriter:w-pass:readwrite\n")
    port = free_port()
    proc = registry_process(
        port, tmp_path / "data", tmp_path / "auth.log", env={"REGISTRY_AUTH_FILE": str(auth)}
    ).start(30)
    url = f"http://127.0.0.1:{port}"
    body = {"schema": json.dumps({"type": "string"})}
    try:
        assert httpx.get(f"{url}/health").status_code == 200  # probes need no credentials
        r = httpx.get(f"{url}/subjects")
        assert (
            r.status_code == 401
            and r.json()["error_code"] == 401
            and "Basic" in r.headers["www-authenticate"]
        )
        assert httpx.get(f"{url}/subjects", auth=("reader", "wrong")).status_code == 401
        assert httpx.get(f"{url}/subjects", auth=("reader", "r-pass")).json() == []
        r = httpx.post(f"{url}/subjects/x-value/versions", json=body, auth=("reader", "r-pass"))
        assert r.status_code == 403 and r.json()["error_code"] == 40301
        r = httpx.post(f"{url}/subjects/x-value/versions", json=body, auth=("writer", "w-pass"))
        assert r.status_code == 200 and r.json()["id"] == 1
    finally:
        proc.stop()


@pytest.mark.parametrize(
    "content",
    [
        "",
        "# nobody\n",
        '{"users": []}',
        "alice\n",
        "bob:\n",
        '{"users": [{"username": "u", "password": 5}]}',
        None,
    ],
)
def test_unusable_auth_file_stops_the_server_with_one_line(
    tmp_path: Path, content: str | None
) -> None:
    auth = tmp_path / "users"
    if content is not None:
        auth.write_text(content)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "registry",
            "serve",
            "--port",
            str(free_port()),
            "--data-dir",
            str(tmp_path / "data"),
            "--auth-file",
            str(auth),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and str(auth) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_readonly_user_may_look_up_and_check_compatibility(tmp_path: Path) -> None:
    auth = tmp_path / "users.txt"
    auth.write_text("reader:r-pass:readonly\nwriter:w-pass:readwrite\n")
    port = free_port()
    proc = registry_process(
        port, tmp_path / "data", tmp_path / "auth.log", env={"REGISTRY_AUTH_FILE": str(auth)}
    ).start(30)
    url = f"http://127.0.0.1:{port}"
    schema = record("Looked", {"name": "a", "type": "int"})
    reader, writer = ("reader", "r-pass"), ("writer", "w-pass")
    try:
        with httpx.Client(base_url=url, headers={"Content-Type": CT}) as api:
            r = api.post("/subjects/ro%2Fx-value/versions", json={"schema": schema}, auth=writer)
            assert r.status_code == 200
            found = api.post("/subjects/ro%2Fx-value", json={"schema": schema}, auth=reader)
            assert found.status_code == 200 and found.json()["version"] == 1
            for path in (
                "/compatibility/subjects/ro%2Fx-value/versions",
                "/compatibility/subjects/ro%2Fx-value/versions/latest",
            ):
                r = api.post(path, json={"schema": schema}, auth=reader)
                assert r.status_code == 200 and r.json()["is_compatible"] is True
            # every other write stays forbidden, however the path is spelled
            for method, path in (
                ("POST", "/subjects/ro%2Fx-value/versions"),
                ("POST", "/subjects/ro%2Fx-value/versions/"),
                ("DELETE", "/subjects/ro%2Fx-value"),
                ("PUT", "/config/ro%2Fx-value"),
                ("PUT", "/mode"),
                ("POST", "/subjects/a/b"),
                ("POST", "/compatibility"),
            ):
                r = api.request(method, path, json={"schema": schema}, auth=reader)
                assert r.status_code == 403 and r.json()["error_code"] == 40301, (method, path)
            assert api.get("/subjects/ro%2Fx-value/versions", auth=reader).json() == [1]
    finally:
        proc.stop()
