"""The health of the stack's parts, in one place.

Today: the broker by a metadata request, the registry and the order API by their HTTP `/health`,
and the other services by the health files they write under `DATA_DIR/run` (the same files as
`make status`).  Those files are on local disk, so they are seen only when the console runs
beside the services (the embedded stack).  When every service serves HTTP `/health` and
`/metrics`, `service_health` switches to asking them, and nothing else in the console changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stack.stack import SERVICES
from stack.status import service_health

STALE_AFTER_S = 10.0


@dataclass(frozen=True)
class PartHealth:
    name: str
    state: str  # up | down | stale | unknown
    via: str  # how we know
    detail: str = ""
    instance: str = ""
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # consumer group -> stats


class HealthSource:
    def __init__(self, run_dir: Path, registry_url: str, order_api_url: str) -> None:
        self.run_dir = run_dir
        self.registry_url = registry_url.rstrip("/")
        self.order_api_url = order_api_url.rstrip("/")

    @property
    def note(self) -> str:
        return (
            f"registry and order API: HTTP /health; other services: health files in "
            f"{self.run_dir} (local disk: seen only beside the embedded stack)"
        )

    def parts(self) -> list[PartHealth]:
        return [
            self._http("registry", self.registry_url),
            *self.services(),
        ]

    def services(self) -> list[PartHealth]:
        files = self._files()
        found = []
        for name in SERVICES:
            if name == "order":
                http = self._http("order", self.order_api_url)
                if http.state == "up" or name not in files:
                    found.append(http)
                    continue
            found += files.get(name) or [self._missing(name)]
        return found

    def _files(self) -> dict[str, list[PartHealth]]:
        by_service: dict[str, list[PartHealth]] = {}
        for health in service_health(self.run_dir) if self.run_dir.is_dir() else []:
            up = health["alive"] and health["age_s"] < STALE_AFTER_S
            state = "up" if up else ("stale" if health["alive"] else "down")
            part = PartHealth(
                name=str(health["service"]),
                state=state,
                via="health file",
                detail=f"updated {health['age_s']:.0f}s ago",
                instance=f"pid {health['pid']}",
                groups=dict(health.get("groups") or {}),
            )
            by_service.setdefault(part.name, []).append(part)
        return by_service

    def _missing(self, name: str) -> PartHealth:
        if not self.run_dir.is_dir():
            return PartHealth(name, "unknown", "health file", f"no {self.run_dir} here")
        return PartHealth(name, "down", "health file", "no health file: not running")

    def _http(self, name: str, base: str) -> PartHealth:
        url = f"{base}/health"
        started = time.monotonic()
        try:
            response = httpx.get(url, timeout=3.0)
        except httpx.HTTPError as exc:
            return PartHealth(name, "down", "HTTP /health", f"{url}: {type(exc).__name__}")
        took = f"{(time.monotonic() - started) * 1000:.0f} ms"
        if response.status_code != 200:
            return PartHealth(name, "down", "HTTP /health", f"{url}: {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        groups = body.get("groups") if isinstance(body, dict) else None
        return PartHealth(name, "up", "HTTP /health", took, base, dict(groups or {}))
