"""The embedded Schema Registry as a managed process (`python -m registry serve`)."""

from __future__ import annotations

from pathlib import Path

from stack.process import ManagedProcess, http_ok, python_module


def registry_process(
    port: int,
    data_dir: Path,
    log_path: Path,
    host: str = "127.0.0.1",
    env: dict[str, str] | None = None,
    database_url: str = "",
) -> ManagedProcess:
    """The registry on host:port, keeping its schemas in `data_dir` (SQLite) or, when
    `database_url` is set, in that PostgreSQL database."""
    argv = python_module(
        "registry", "serve", "--host", host, "--port", str(port), "--data-dir", str(data_dir)
    )
    if database_url:
        argv += ["--database-url", database_url]
    return ManagedProcess(
        "registry", argv, lambda: http_ok(f"http://{host}:{port}/health"), log_path, env=env
    )


def start_registry(
    port: int, data_dir: Path, log_path: Path, timeout: float = 30.0, database_url: str = ""
) -> ManagedProcess:
    return registry_process(port, data_dir, log_path, database_url=database_url).start(timeout)
