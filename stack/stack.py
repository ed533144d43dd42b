"""The embedded stack: Tansu broker, Schema Registry and the six services as managed processes.

State lives under one directory (default `var/`): `registry/` (durable schemas), `data/` (each
service's database; wiped at start because the broker keeps nothing across restarts), `log/`,
`run/` (the pid file of `make up`, the services' ops URLs for `make status`).  With DATABASE_URL
the services keep their state in PostgreSQL instead (one schema each, also emptied at start), and
each further instance of a service gets a working directory of its own (`data-2/`, ...):
instances share nothing local.  REGISTRY_DATABASE_URL puts the registry's schemas in PostgreSQL
(kept across restarts).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlsplit

from dbkit import open_database
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
    database_url: str = ""  # the services' PostgreSQL ("" = a SQLite file each, under data/)
    registry_database_url: str = ""  # the registry's PostgreSQL ("" = SQLite under registry/)

    @classmethod
    def from_settings(cls, root: Path = Path("var")) -> StackConfig:
        s = Settings()
        return cls(
            root,
            s.kafka_bootstrap_servers,
            s.schema_registry_url,
            s.order_api_url,
            s.console_url,
            database_url=s.database_url,
            registry_database_url=os.environ.get("REGISTRY_DATABASE_URL", ""),
        )

    @classmethod
    def on_free_ports(
        cls,
        root: Path,
        extra_env: dict[str, str] | None = None,
        database_url: str = "",
        registry_database_url: str = "",
        host: str = "127.0.0.1",
    ) -> StackConfig:
        """A stack of its own (tests, benchmarks): free ports on `host`, state under `root`."""
        return cls(
            root=root,
            kafka=f"{host}:{free_port()}",
            registry_url=f"http://{host}:{free_port()}",
            order_api_url=f"http://{host}:{free_port()}",
            console_url=f"http://{host}:{free_port()}",
            extra_env=extra_env or {},
            database_url=database_url,
            registry_database_url=registry_database_url,
        )

    def data_dir(self, instance: int = 1) -> Path:
        """The working directory of a service instance.  SQLite: every instance shares `data/`,
        where the database file is; PostgreSQL: instance N > 1 has `data-N/` to itself."""
        if instance == 1 or not self.database_url:
            return self.root / "data"
        return self.root / f"data-{instance}"

    def service_env(self, instance: int = 1) -> dict[str, str]:
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "SCHEMA_REGISTRY_URL": self.registry_url,
            "ORDER_API_URL": self.order_api_url,
            "CONSOLE_URL": self.console_url,
            "DATA_DIR": str(self.data_dir(instance)),
            "LOG_FORMAT": "json",
            **self.extra_env,
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env


def instance_label(name: str, instance: int) -> str:
    return name if instance == 1 else f"{name}-{instance}"


def parse_label(label: str) -> tuple[str, int]:
    name, _, instance = label.partition("-")
    return name, int(instance or 1)


def host_port(address: str) -> tuple[str, int]:
    parsed = urlparse(address if "://" in address else f"tcp://{address}")
    return parsed.hostname or "127.0.0.1", int(parsed.port or 0)


class Stack:
    def __init__(self, config: StackConfig, say: Callable[[str], None] = print) -> None:
        self.config = config
        self.say = say
        self.infra: list[ManagedProcess] = []
        self.services: dict[str, ManagedProcess] = {}  # by instance label: payment, payment-2
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
            reg_port,
            self.config.root / "registry",
            self.logs / "registry.log",
            reg_host,
            database_url=self.config.registry_database_url,
        )
        self.infra.append(registry.start())
        topics = create_topics(self.config.kafka, replication_factor=1, say=self.say)
        self.say(f"created {len(topics)} topics (partitions from the catalog, one replica)")
        ids = register_contracts(self.config.registry_url)
        self.say(f"registered {len(ids)} subjects from contracts/")

    def start_services(self, names: tuple[str, ...] = SERVICES, instances: int = 1) -> None:
        self.reset_service_state(names)  # the in-memory broker starts empty: so do we
        for instance in range(1, instances + 1):
            for name in names:
                label = instance_label(name, instance)
                self.services[label] = self.service_process(name, instance).start(timeout=60)
                self.say(f"started {label} service (pid {self.services[label].pid})")
        self.wait_until_assigned()

    def reset_service_state(self, names: tuple[str, ...]) -> None:
        """Empty the services' working directories, and their schemas on PostgreSQL."""
        for path in self.config.root.glob("data*"):
            shutil.rmtree(path, ignore_errors=True)
        if not self.config.database_url:
            return
        db = open_database(self.config.database_url, name="stack")
        try:
            with db.transaction() as conn:
                for name in names:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        finally:
            db.close()
        self.say(f"emptied the schemas of {', '.join(names)} in {db.description.split()[0]}")

    def wait_until_assigned(self, timeout: float = 90.0) -> None:
        """Block until every service instance is ready: dependencies answer and every consumer
        group holds its assignment (joins take time)."""
        wait_ready(self.ops.values(), timeout)
        self.say("every consumer group has its partitions")

    def service_process(
        self,
        name: str,
        instance: int = 1,
        env: dict[str, str] | None = None,
        argv_prefix: tuple[str, ...] = (),
        host: str = "127.0.0.1",
    ) -> ManagedProcess:
        """A not yet started process of service `name`; instances > 1 log to their own file and,
        on PostgreSQL, work in their own directory (the order service: on their own HTTP port).

        Each gets its own ops port (`/health`, `/metrics`) on `host`, listed in `ops` and
        `run/ops.json` (`make status` reads it); it counts as started once its `/health`
        answers.  `env` adds to or overrides the instance's environment; `argv_prefix` runs it
        through a launcher (e.g. `ip netns exec NS`)."""
        label = instance_label(name, instance)
        ops_url = f"http://{host}:{free_port()}"
        self.ops[label] = ops_url
        write_ops_file(self.config.root, self.ops)
        base = self.config.service_env(instance)
        if name == "order" and instance > 1:  # one HTTP port per instance
            base["ORDER_API_URL"] = f"http://{host}:{free_port()}"
        base.update({"OPS_HOST": host, "OPS_PORT": str(urlsplit(ops_url).port)})

        def ready() -> bool:
            return http_ok(f"{ops_url}/health")

        return ManagedProcess(
            name,
            [*argv_prefix, *python_module(f"services.{name}")],
            ready,
            self.logs / f"{label}.log",
            env={**base, **(env or {})},
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

    def supervise(self, hold: Collection[str] = ()) -> None:
        """Restart any service instance that died (at most once every few seconds each), but
        those named in `hold` (read as each instance is looked at, so a live set may grow)."""
        for label, proc in list(self.services.items()):
            if not proc.alive() and label not in hold:
                self.restarts[label] = self.restarts.get(label, 0) + 1
                self.say(f"{label} service exited ({proc.tail(3)!r}); restarting")
                time.sleep(min(5, self.restarts[label]))
                name, instance = parse_label(label)
                self.services[label] = self.service_process(name, instance).start(timeout=60)

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
        pids = {p.name: p.detach() for p in self.infra}
        pids.update({label: p.detach() for label, p in self.services.items()})
        if self.console:
            pids["console"] = self.console.detach()
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
