"""The health of the stack's parts, in one place.

The broker by a metadata request, the registry by its HTTP `/health`, and every service instance
by its own `/health` (`stack.health`, the same reader as `make status`): at OPS_URLS when set,
else the embedded stack's own list of its instances.  So the console shows the same picture
beside the embedded stack and in a deployment elsewhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stack.health import ops_urls, service_health
from stack.stack import SERVICES


@dataclass(frozen=True)
class PartHealth:
    name: str
    state: str  # up | stale (live, not ready) | down | unknown
    via: str  # how we know
    detail: str = ""
    instance: str = ""
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # consumer group -> stats


class HealthSource:
    def __init__(self, stack_root: Path, registry_url: str, ops_urls: str = "") -> None:
        self.stack_root = stack_root  # the embedded stack's root (its run/ops.json)
        self.registry_url = registry_url.rstrip("/")
        self.listed = ops_urls

    @property
    def note(self) -> str:
        where = (
            "OPS_URLS" if self.listed.strip() else f"the embedded stack's list ({self.stack_root})"
        )
        return f"registry: HTTP /health; services: each instance's HTTP /health, at {where}"

    def parts(self) -> list[PartHealth]:
        return [self._http("registry", self.registry_url), *self.services()]

    def services(self) -> list[PartHealth]:
        found = [self._instance(h) for h in service_health(ops_urls(self.stack_root, self.listed))]
        seen = {p.name for p in found}
        missing = [
            PartHealth(name, "unknown", "HTTP /health", "no instance known")
            for name in SERVICES
            if name not in seen
        ]
        return found + missing

    @staticmethod
    def _instance(health: dict[str, Any]) -> PartHealth:
        if not health["reachable"]:
            return PartHealth(health["url"], "down", "HTTP /health", health["error"], health["url"])
        state = "up" if health["ready"] else ("stale" if health["live"] else "down")
        detail = "ready" if health["ready"] else "; ".join(health.get("not_ready", []))[:200]
        return PartHealth(
            name=str(health["service"]),
            state=state,
            via="HTTP /health",
            detail=detail,
            instance=str(health.get("instance", health["url"])),
            groups=dict(health.get("groups") or {}),
        )

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
        return PartHealth(name, "up", "HTTP /health", took, base)
