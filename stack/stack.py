"""The embedded stack: Tansu broker, Schema Registry and the six services as managed processes.

State lives under one directory (default `var/`): `registry/` (durable schemas), `data/` (each
service's database; wiped at start because the broker keeps nothing across restarts), `log/`,
`run/` (the pid file of `make up`, the services' ops URLs for `make status`).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlsplit

from services.runtime.settings import Settings
from stack.broker import broker_process
from stack.contracts import create_topics, register_contracts
from stack.health import OPS_FILE, wait_ready, write_ops_file
from stack.process import (
    ManagedProcess,
    free_port,
    http_ok,
    port_open,
    python_module,
    stop_pid,
)
from stack.registry_process import registry_process

SERVICES = ("order", "payment", "inventory", "shipping", "delivery", "notification")
PID_FILE = "stack.json"


@dataclass
class StackConfig:
    root: Path = Path("var")
    kafka: str = "127.0.0.1:9092"
    registry_url: str = "http://127.0.0.1:8081"
    order_api_url: str = "http://127.0.0.1:8000"
    console_url: str = "http://127.0.0.1:8080"
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, root: Path = Path("var")) -> StackConfig:
        s = Settings()
        return cls(
            root, s.kafka_bootstrap_servers, s.schema_registry_url, s.order_api_url, s.console_url
        )

    @classmethod
    def on_free_ports(cls, root: Path, extra_env: dict[str, str] | None = None) -> StackConfig:
        """A stack of its own (tests, benchmarks): free loopback ports, state under `root`."""
        return cls(
            root=root,
            kafka=f"127.0.0.1:{free_port()}",
            registry_url=f"http://127.0.0.1:{free_port()}",
            order_api_url=f"http://127.0.0.1:{free_port()}",
            console_url=f"http://127.0.0.1:{free_port()}",
            extra_env=extra_env or {},
        )

    def service_env(self) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "SCHEMA_REGISTRY_URL": self.registry_url,
            "ORDER_API_URL": self.order_api_url,
            "CONSOLE_URL": self.console_url,
            "DATA_DIR": str(self.root / "data"),
            "LOG_FORMAT": "json",
            **self.extra_env,
        }


def host_port(address: str) -> tuple[str, int]:
    parsed = urlparse(address if "://" in address else f"tcp://{address}")
    return parsed.hostname or "127.0.0.1", int(parsed.port or 0)


class Stack:
    def __init__(self, config: StackConfig, say: Callable[[str], None] = print) -> None:
        self.config = config
        self.say = say
        self.infra: list[ManagedProcess] = []
        self.services: dict[str, ManagedProcess] = {}
        self.console: ManagedProcess | None = None
        self.restarts: dict[str, int] = {}
        self.ops: dict[str, str] = {}  # instance label -> ops base URL

    @property
    def logs(self) -> Path:
        return self.config.root / "log"

    def start_infra(self) -> None:
        kafka_host, kafka_port = host_port(self.config.kafka)
        reg_host, reg_port = host_port(self.config.registry_url)
        for what, host, port in (
            ("Kafka", kafka_host, kafka_port),
            ("registry", reg_host, reg_port),
        ):
            if port_open(host, port):
                raise RuntimeError(
                    f"{what} port {host}:{port} is already in use: is a stack running? "
                    "Try `make down`, or set KAFKA_BOOTSTRAP_SERVERS / SCHEMA_REGISTRY_URL."
                )
        self.say(f"starting Kafka (Tansu) on {self.config.kafka}")
        self.infra.append(broker_process(kafka_port, self.logs / "broker.log", kafka_host).start())
        self.say(f"starting Schema Registry on {self.config.registry_url}")
        registry = registry_process(
            reg_port, self.config.root / "registry", self.logs / "registry.log", reg_host
        )
        self.infra.append(registry.start())
        topics = create_topics(self.config.kafka, replication_factor=1, say=self.say)
        self.say(f"created {len(topics)} topics (partitions from the catalog, one replica)")
        ids = register_contracts(self.config.registry_url)
        self.say(f"registered {len(ids)} subjects from contracts/")

    def start_services(self, names: tuple[str, ...] = SERVICES) -> None:
        data = self.config.root / "data"
        shutil.rmtree(data, ignore_errors=True)  # the in-memory broker starts empty: so do we
        for name in names:
            self.services[name] = self.service_process(name).start(timeout=60)
            self.say(f"started {name} service (pid {self.services[name].pid})")
        self.wait_until_assigned()

    def wait_until_assigned(self, timeout: float = 90.0) -> None:
        """Block until every service instance is ready: dependencies answer and every consumer
        group holds its assignment (joins take time)."""
        wait_ready(self.ops.values(), timeout)
        self.say("every consumer group has its partitions")

    def service_process(self, name: str, instance: int = 1) -> ManagedProcess:
        """A not yet started process of service `name`; instances > 1 log to their own file.

        Each gets its own ops port (`/health`, `/metrics`), listed in `ops` and `run/ops.json`
        (`make status` reads it); it counts as started once its `/health` answers."""
        label = name if instance == 1 else f"{name}-{instance}"
        ops_url = f"http://127.0.0.1:{free_port()}"
        self.ops[label] = ops_url
        write_ops_file(self.config.root, self.ops)

        def ready() -> bool:
            return http_ok(f"{ops_url}/health")

        return ManagedProcess(
            name,
            python_module(f"services.{name}"),
            ready,
            self.logs / f"{label}.log",
            env={**self.config.service_env(), "OPS_PORT": str(urlsplit(ops_url).port)},
            url=ops_url,
        )

    def start_console(self) -> None:
        """The operations console (`python -m console`), once the services it shows are up."""
        host, port = host_port(self.config.console_url)
        if port_open(host, port):
            raise RuntimeError(
                f"console port {host}:{port} is already in use: set CONSOLE_URL to another address"
            )
        self.console = ManagedProcess(
            "console",
            python_module("console"),
            lambda: http_ok(f"{self.config.console_url}/health"),
            self.logs / "console.log",
            env=self.config.service_env(),
        ).start(timeout=30)
        self.say(f"console at {self.config.console_url}")

    def supervise(self) -> None:
        """Restart any service that died (at most once every few seconds each)."""
        for name, proc in list(self.services.items()):
            if not proc.alive():
                self.restarts[name] = self.restarts.get(name, 0) + 1
                self.say(f"{name} service exited ({proc.tail(3)!r}); restarting")
                time.sleep(min(5, self.restarts[name]))
                self.services[name] = self.service_process(name).start(timeout=60)

    def stop(self) -> None:
        if self.console is not None:
            self.console.stop()
            self.say("stopped console")
        for name, proc in reversed(list(self.services.items())):
            proc.stop(timeout=20)
            self.say(f"stopped {name}")
        for proc in reversed(self.infra):
            proc.stop()
            self.say(f"stopped {proc.name}")
        (self.config.root / "run" / OPS_FILE).unlink(missing_ok=True)

    # -- detached (`make up` / `make down`) ------------------------------------------------------

    def detach(self) -> None:
        started = [*self.infra, *self.services.values(), *([self.console] if self.console else [])]
        pids = {p.name: p.detach() for p in started}
        path = self.config.root / "run" / PID_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(pids, indent=2))

    @staticmethod
    def stop_detached(root: Path, say: Callable[[str], None] = print) -> int:
        path = root / "run" / PID_FILE
        if not path.exists():
            say("nothing to stop (no stack started by `make up`)")
            return 0
        pids: dict[str, int] = json.loads(path.read_text())
        # services first (they finish and commit), then registry and broker
        for name, pid in reversed(list(pids.items())):
            say(f"stopping {name} (pid {pid})" if stop_pid(pid) else f"{name} was not running")
        path.unlink()
        (root / "run" / OPS_FILE).unlink(missing_ok=True)
        return len(pids)
