"""Configuration, read once at start-up from the environment into a typed object."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TypeVar

import pydantic
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every process reads the same variables: KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, ...

    A service with knobs of its own subclasses it in its `bootstrap.py`."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    # Addresses of the stack (the same in every process, tools included).
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    schema_registry_url: str = "http://127.0.0.1:8081"
    order_api_url: str = "http://127.0.0.1:8000"
    console_url: str = "http://127.0.0.1:8080"

    data_dir: Path = Path("var/data")
    # Empty: each service keeps a SQLite file under data_dir.  postgresql://...: every service
    # works in its own schema of that database (schema = service name), sharing nothing local.
    database_url: str = ""
    database_pool_size: int = 10  # connections per process, at most (PostgreSQL)
    database_timeout_s: float = 10.0  # waiting for a connection before it counts as unavailable
    # Tansu takes about half the session timeout to complete a group join: keep it short in dev.
    session_timeout_ms: int = 6000
    fetch_wait_max_ms: int = 50
    log_format: str = "console"  # or "json"
    log_level: str = "INFO"
    # Retries of transient failures: exponential backoff with full jitter, capped.  Sized to ride
    # out a registry or broker outage of 10+ s (about 30 s of retrying on average) before the DLQ;
    # only the failing partition waits meanwhile.
    retry_max_attempts: int = 12
    retry_base_delay_s: float = 0.25
    retry_max_delay_s: float = 10.0
    # How often a running service checks that the broker is still the cluster it started with.
    cluster_check_interval_s: float = 5.0
    # /health, /health/ready and /metrics (services/runtime/ops.py); port 0 = any free port.
    ops_host: str = "127.0.0.1"
    ops_port: int = 0
    # How often broker, registry and database are checked for readiness.
    health_check_interval_s: float = 2.0

    def database_path(self, service: str) -> Path:
        return self.data_dir / f"{service}.sqlite3"

    def database_target(self, service: str) -> str | Path:
        """Where `service` keeps its state: the DATABASE_URL if set, else its SQLite file."""
        return self.database_url or self.database_path(service)


S = TypeVar("S", bound=BaseSettings)


def setting_error(exc: pydantic.ValidationError) -> str:
    """The first problem of a settings object, named by its environment variable."""
    error = exc.errors()[0]
    name = "_".join(str(p) for p in error.get("loc", ())).upper()
    return f"setting {name}: {error.get('msg')}"


def read_settings(cls: type[S], program: str) -> S:
    """`cls()` from the environment; a variable it cannot use stops the program with one line
    (`program: setting NAME: what was wrong`, exit 2) instead of a traceback."""
    try:
        return cls()
    except pydantic.ValidationError as exc:
        print(f"{program}: {setting_error(exc)}", file=sys.stderr)
        raise SystemExit(2) from None
