"""Is this instance alive, and is it ready to do its work?  Answered for `/health`.

*Live*: every consumer thread runs and the app is not stopping (a dead thread means restart me).
*Ready*: live, and the broker, the registry and the database each answered their last check
(run in the background every `HEALTH_CHECK_INTERVAL_S`, so a probe never waits on them and cannot
be used to hammer them), and every consumer group has finished joining: its member holds the
assignment the last rebalance gave it.  An instance whose group gave it no partition (more
instances than partitions) is ready too, as a standby: it takes partitions over when another
instance leaves.  It is reported with `"standby": true` for that group.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from confluent_kafka.admin import AdminClient

from services.runtime.cluster import current_cluster_id

if TYPE_CHECKING:
    from services.runtime.app import ServiceApp

Check = Callable[[], str]  # returns a short detail; raises when the dependency does not answer


@dataclass
class CheckResult:
    ok: bool
    detail: str
    at: float  # time.time() of the check


def instance_id(service: str) -> str:
    return f"{service}@{socket.gethostname()}:{os.getpid()}"


def registry_check(url: str, timeout_s: float = 2.0) -> Check:
    """Any HTTP answer below 500 means the registry is there (401 included: it answered)."""

    def check() -> str:
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/", timeout=timeout_s) as response:  # noqa: S310 - our registry URL
                return f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise
            return f"HTTP {exc.code}"

    return check


def broker_check(bootstrap: str, timeout_s: float = 2.0) -> Check:
    admin: list[AdminClient] = []  # made at the first check: building the app connects nothing

    def check() -> str:
        if not admin:
            admin.append(AdminClient({"bootstrap.servers": bootstrap}))
        cluster = current_cluster_id(admin[0], timeout_s)
        if cluster is None:
            raise ConnectionError(f"no answer from {bootstrap}")
        return f"cluster {cluster}"

    return check


class HealthMonitor:
    """Runs the dependency checks in the background and assembles the `/health` answer."""

    def __init__(self, app: ServiceApp, checks: dict[str, Check], interval_s: float) -> None:
        self.app = app
        self.checks = checks
        self.interval_s = interval_s
        self.results: dict[str, CheckResult] = {}
        self.instance = instance_id(app.name)

    def start(self, stop: threading.Event) -> None:
        self.run_checks()

        def loop() -> None:
            while not stop.wait(self.interval_s):
                self.run_checks()

        threading.Thread(target=loop, name="health-checks", daemon=True).start()

    def run_checks(self) -> None:
        for name, check in self.checks.items():
            try:
                self.results[name] = CheckResult(True, check(), time.time())
            except Exception as exc:  # any failure means "did not answer"
                self.results[name] = CheckResult(
                    False, f"{type(exc).__name__}: {exc}"[:200], time.time()
                )

    def report(self) -> dict[str, Any]:
        """The `/health` body; `live` and `ready` say which answer it deserves."""
        now = time.time()
        not_ready: list[str] = []
        checks: dict[str, dict[str, Any]] = {}
        for name in self.checks:
            result = self.results.get(name)
            if result is None:
                checks[name] = {"ok": False, "detail": "not checked yet", "age_s": None}
                not_ready.append(f"{name}: not checked yet")
                continue
            age = round(now - result.at, 1)
            stale = age > 3 * self.interval_s
            checks[name] = {"ok": result.ok and not stale, "detail": result.detail, "age_s": age}
            if not result.ok:
                not_ready.append(f"{name}: {result.detail}")
            elif stale:
                not_ready.append(f"{name}: last check {age}s ago")
        groups: dict[str, dict[str, Any]] = {}
        live = not self.app.stop_event.is_set()
        for loop in self.app.loops:
            group = loop.processor.group
            stats = loop.processor.stats
            alive = loop.is_alive()
            live = live and alive
            if not loop.joined:
                not_ready.append(f"group {group}: joining (no assignment yet)")
            groups[group] = {
                "alive": alive,
                "state": "assigned" if loop.joined else "joining",
                "standby": loop.joined and not loop.assignment,
                "member_id": loop.member_id,
                "topics": sorted(loop.processor.by_topic),
                "assignment": [f"{t}[{p}]" for t, p in loop.assignment],
                "handled": stats.handled,
                "duplicates": stats.duplicates,
                "skipped": stats.skipped,
                "dead_lettered": dict(stats.dead_lettered),
                "retrying": dict(stats.retrying),
                "last_poll": loop.last_poll,
            }
        if not live:
            not_ready.insert(0, "not live: stopping, or a consumer thread died")
        return {
            "service": self.app.name,
            "instance": self.instance,
            "pid": os.getpid(),
            "status": "ready" if not not_ready else ("live" if live else "down"),
            "live": live,
            "ready": not not_ready,
            "not_ready": not_ready,
            "checks": checks,
            "groups": groups,
            "time": now,
        }
