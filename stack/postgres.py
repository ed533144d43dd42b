"""A throwaway PostgreSQL server for tests and benchmarks: Debian's PostgreSQL binaries
(`pg_config --bindir`), `initdb` into a fresh directory, a free port on loopback, trust auth.

As root the server runs as the `postgres` system user (PostgreSQL refuses to run as root), so its
directory lives outside pytest's private temp tree. `stop()` shuts it down fast and removes it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from stack.process import ManagedProcess, free_port

INSTALL_HINT = "install PostgreSQL: apt-get install -y postgresql (or run `make system-deps`)"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def bindir() -> Path:
    """Where `initdb` and `postgres` live, or PostgresUnavailable naming the fix."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").is_file() and (candidate / "postgres").is_file():
            return candidate
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").is_file():
            return candidate
    raise PostgresUnavailable(f"no PostgreSQL server binaries found; {INSTALL_HINT}")


def _ready(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=1):
            return True
    except psycopg.OperationalError:
        return False


@dataclass
class PostgresServer:
    url: str  # postgresql://postgres@127.0.0.1:PORT/postgres
    port: int
    directory: Path
    process: ManagedProcess

    def create_database(self, name: str) -> str:
        """A new empty database on this server; returns its URL."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        self.process.stop(timeout=20)
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres(
    log_path: Path,
    port: int | None = None,
    timeout: float = 60,
    host: str = "127.0.0.1",
    trusted: tuple[str, ...] = (),
) -> PostgresServer:
    """initdb, then a server on `host`:`port` (free by default); wait until it answers.
    `trusted`: further client networks (CIDR) let in without a password, besides loopback."""
    bin_dir = bindir()
    port = port or free_port()
    user = "postgres" if os.geteuid() == 0 else None
    directory = Path(tempfile.mkdtemp(prefix="shop-events-pg-"))
    if user:
        shutil.chown(directory, user)
    data = directory / "data"
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        + ["--locale=C", "--no-sync"],
        check=True,
        capture_output=True,
        user=user,
    )
    if trusted:
        with (data / "pg_hba.conf").open("a") as hba:
            hba.writelines(f"host all all {network} trust\n" for network in trusted)
    argv = [
        str(bin_dir / "postgres"),
        "-D",
        str(data),
        "-p",
        str(port),
        "-k",
        str(directory),
        "-c",
        f"listen_addresses={host}",
        "-c",
        "max_connections=300",
        "-c",
        "fsync=on",
    ]
    url = f"postgresql://postgres@{host}:{port}/postgres"
    process = ManagedProcess(
        "postgres", argv, lambda: _ready(url), log_path, user=user, stop_signal=signal.SIGINT
    )
    try:
        process.start(timeout)
    except Exception:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return PostgresServer(url, port, directory, process)
