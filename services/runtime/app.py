"""`ServiceApp`: a service's handlers, registered by event class, and the processes that run them.

Each service builds its app in one place, `services/<name>/bootstrap.py`:

    def create_app(settings: Settings) -> ServiceApp:
        app = ServiceApp("mailer", settings=settings, migrations=store.MIGRATIONS)
        app.publisher(WelcomeMailSent)
        app.subscriber(UserSignedUp)(send_welcome)  # send_welcome(event: UserSignedUp, uow)
        return app

and `python -m services.<name>` runs `create_app(...).run()`.  Building an app connects to
nothing: the database, the registry and Kafka are opened by `start()` (or bound by the TestBus).
Each consumer group gets its own Kafka consumer on its own thread (by default one group named
after the service).  `run()` blocks until SIGINT/SIGTERM (serving the app's HTTP API meanwhile,
if it declared one), then finishes in-flight work, publishes, commits and closes.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from confluent_kafka.admin import AdminClient

from dbkit import MigrationError, TransientDatabaseError
from services.events import Event
from services.runtime.cluster import (
    EXIT_HISTORY_LOST,
    BrokerHistoryLost,
    ClusterWatch,
    check_recorded,
    current_cluster_id,
)
from services.runtime.consumer import ConsumerLoop
from services.runtime.errors import SubjectNotRegisteredError
from services.runtime.health import HealthMonitor, broker_check, registry_check
from services.runtime.http import serve_with_consumers
from services.runtime.kafka import make_consumer, make_producer
from services.runtime.logging import configure_logging, get_logger
from services.runtime.metrics import ServiceCollector, service_registry
from services.runtime.ops import Ops
from services.runtime.outbox import OutboxRelay
from services.runtime.processor import E, Handler, Processor, RetryPolicy, Subscription
from services.runtime.serde import EventSerde
from services.runtime.settings import Settings
from services.runtime.sinks import KafkaSink, Sink
from services.runtime.store import Database, Migration, open_store

if TYPE_CHECKING:
    from starlette.types import ASGIApp


class ServiceApp:
    def __init__(
        self, name: str, *, settings: Settings, migrations: Sequence[Migration] = ()
    ) -> None:
        self.name = name
        self.migrations = tuple(migrations)
        self.settings = settings
        self.subscriptions: list[Subscription[Any]] = []
        self.startup_hooks: list[Callable[[ServiceApp], None]] = []
        self.produces: list[tuple[type[Event], str]] = []
        self.stop_event = threading.Event()
        self.loops: list[ConsumerLoop] = []
        self._db: Database | None = None
        self._serde: EventSerde | None = None
        self.relay: OutboxRelay | None = None
        self.http_api: ASGIApp | None = None
        self.http_url = ""
        self._ops: Ops | None = None

    # -- declaration ---------------------------------------------------------------------------

    def subscriber(
        self,
        event_type: type[E],
        *,
        topic: str | None = None,
        group: str | None = None,
        accepts: Callable[[E], bool] | None = None,
        wait: Callable[[E], float] | None = None,
        accepts_header: tuple[str, str] | None = None,
    ) -> Callable[[Handler[E]], Handler[E]]:
        """Register a handler of `event_type` events (from its only topic unless named); with
        `accepts`, only of those it accepts (the group skips the others without a transaction);
        with `accepts_header` (name, value), messages whose header `name` has another value are
        skipped before decoding; with `wait`, each event is handled that many seconds later
        (waited outside the transaction)."""
        topics = event_type.TOPICS
        if topic is None:
            if len(topics) != 1:
                raise ValueError(f"{event_type.__name__} is carried by {topics}: name the topic")
            topic = topics[0]

        def register(handler: Handler[E]) -> Handler[E]:
            self.subscriptions.append(
                Subscription(
                    event_type, topic, group or self.name, handler, accepts, wait, accepts_header
                )
            )
            return handler

        return register

    def publisher(self, event_type: type[Event], topic: str | None = None) -> None:
        """Declare an event this service produces: its subject is checked at start-up."""
        for t in [topic] if topic else event_type.TOPICS:
            self.produces.append((event_type, t))

    def serve_http(self, api: ASGIApp, url: str) -> None:
        """Serve `api` on `url`'s host and port while the consumers run (see `run()`)."""
        self.http_api, self.http_url = api, url

    def on_startup(self, hook: Callable[[ServiceApp], None]) -> Callable[[ServiceApp], None]:
        self.startup_hooks.append(hook)
        return hook

    def declarations(self) -> dict[str, Any]:
        """What this app consumes ({topic, group} pairs) and publishes (topics), sorted."""
        pairs = sorted({(sub.topic, sub.group) for sub in self.subscriptions})
        return {
            "subscribes": [{"topic": topic, "group": group} for topic, group in pairs],
            "publishes": sorted({topic for _, topic in self.produces}),
        }

    def groups(self) -> dict[str, list[Subscription[Any]]]:
        groups: dict[str, list[Subscription[Any]]] = {}
        for sub in self.subscriptions:
            groups.setdefault(sub.group, []).append(sub)
        return groups

    # -- wiring --------------------------------------------------------------------------------

    @property
    def db(self) -> Database:
        """The service's database, migrated to the latest steps on first use."""
        if self._db is None:
            self._db = open_store(
                self.settings.database_target(self.name),
                self.name,
                self.migrations,
                pool_size=self.settings.database_pool_size,
                timeout_s=self.settings.database_timeout_s,
            )
        return self._db

    @property
    def serde(self) -> EventSerde:
        if self._serde is None:
            self._serde = EventSerde.from_url(self.settings.schema_registry_url)
        return self._serde

    def bind(self, db: Database, serde: EventSerde, sink: Sink) -> None:
        """Use these adapters (the test bus binds in-memory ones)."""
        self._db, self._serde = db, serde
        self.relay = OutboxRelay(db, sink)

    def processors(self, dlq_sink: Sink) -> list[Processor]:
        retry = RetryPolicy(
            self.settings.retry_max_attempts,
            self.settings.retry_base_delay_s,
            self.settings.retry_max_delay_s,
        )
        return [
            Processor(self.name, group, subs, self.db, self.serde, dlq_sink, retry, self.stop_event)
            for group, subs in self.groups().items()
        ]

    # -- running -------------------------------------------------------------------------------

    def start(self) -> None:
        """Check subjects, run start-up hooks, publish leftovers, start one thread per group."""
        configure_logging(self.name, self.settings.log_format, self.settings.log_level)
        log = get_logger()
        for event_type, topic in self.produces:
            try:
                self.serde.prepare_writer(event_type, topic)
            except SubjectNotRegisteredError as exc:
                log.error("cannot start: schema not registered", topic=topic, error=str(exc))
                raise SystemExit(
                    f"{self.name}: cannot publish {event_type.__name__} to {topic!r}: {exc}"
                ) from None
        self._open_database()
        self._guard_cluster()
        producer = make_producer(self.settings, self.name)
        sink = KafkaSink(producer)
        self.bind(self.db, self.serde, sink)
        for hook in self.startup_hooks:
            hook(self)
        assert self.relay is not None
        self.relay.relay()  # events committed before a crash but never sent
        self.relay.run_in_background(self.stop_event)  # for writes that are not consumed events
        for processor in self.processors(sink):
            consumer = make_consumer(self.settings, self.name, processor.group)
            loop = ConsumerLoop(consumer, processor, self.relay, self.stop_event)
            loop.start()
            self.loops.append(loop)
        self.ops.monitor.start(self.stop_event)
        ops_url = self.ops.serve(self.settings.ops_host, self.settings.ops_port)
        log.info(
            "started",
            groups=sorted(self.groups()),
            produces=sorted({t for _, t in self.produces}),
            ops_url=ops_url,
        )

    def _open_database(self, wait_s: float = 60.0) -> None:
        """Open (and migrate) the database, waiting while it does not answer; exit if it never
        does (a clear line, not a traceback)."""
        deadline = time.monotonic() + wait_s
        delay = 0.5
        while True:
            try:
                self.db  # noqa: B018 - opens and migrates
                return
            except (ValueError, MigrationError) as exc:  # a bad URL, a database newer than us
                get_logger().error("cannot start: database refused", error=str(exc)[:300])
                raise SystemExit(f"{self.name}: DATABASE_URL / database: {exc}") from None
            except TransientDatabaseError as exc:
                if time.monotonic() > deadline:
                    get_logger().error("cannot start: database unavailable", error=str(exc)[:300])
                    raise SystemExit(f"{self.name}: database unavailable: {exc}") from None
                get_logger().warning("database not answering yet", error=str(exc)[:300])
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _guard_cluster(self) -> None:
        """Refuse to start on another cluster than our database's; watch for a change later."""
        admin = AdminClient({"bootstrap.servers": self.settings.kafka_bootstrap_servers})
        deadline = time.monotonic() + 60
        cluster_id = current_cluster_id(admin)
        while cluster_id is None and time.monotonic() < deadline:
            get_logger().warning(
                "broker not answering yet", bootstrap=self.settings.kafka_bootstrap_servers
            )
            cluster_id = current_cluster_id(admin)
        if cluster_id is None:
            raise RuntimeError(f"no broker at {self.settings.kafka_bootstrap_servers}")
        try:
            check_recorded(self.db, cluster_id)
        except BrokerHistoryLost as exc:
            get_logger().critical(str(exc))
            raise SystemExit(EXIT_HISTORY_LOST) from exc
        interval = self.settings.cluster_check_interval_s
        ClusterWatch(admin, cluster_id, self.stop_event, interval, self._history_lost).start()

    def _history_lost(self, message: str) -> None:
        # No graceful stop: committing offsets or publishing the outbox into the new, empty log
        # would make things worse.  The database stays as it was, for inspection.
        get_logger().critical(message)
        os._exit(EXIT_HISTORY_LOST)

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        for loop in self.loops:
            loop.join(timeout)
        if self._ops is not None:
            self._ops.close()
        get_logger().info("stopped")

    def run(self) -> None:
        """Start, then block until SIGINT or SIGTERM; stop gracefully."""
        if self.http_api is not None:
            serve_with_consumers(self, self.http_api, self.http_url)
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop_event.set())
        self.start()
        while not self.stop_event.is_set():
            if any(not loop.is_alive() for loop in self.loops):
                get_logger().error("a consumer thread died; stopping")
                self.stop_event.set()
            self.stop_event.wait(1.0)
        self.stop()

    # -- operations ----------------------------------------------------------------------------

    @property
    def ops(self) -> Ops:
        """`/health` and `/metrics` of this app (served by `start()`)."""
        if self._ops is None:
            s = self.settings
            checks = {
                "broker": broker_check(s.kafka_bootstrap_servers),
                "registry": registry_check(s.schema_registry_url),
                "database": self._database_check,
            }
            collector = ServiceCollector(
                self.name, lambda: self.loops, self._outbox_pending, self._published
            )
            monitor = HealthMonitor(self, checks, s.health_check_interval_s)
            self._ops = Ops(monitor, service_registry(collector))
        return self._ops

    def health(self) -> dict[str, Any]:
        return self.ops.monitor.report()

    def _database_check(self) -> str:
        self.db.query("SELECT 1")
        return "answers"

    def _outbox_pending(self) -> int | None:
        try:
            return int(
                self.db.query("SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]
            )
        except Exception:  # the database is away: the metric is unknown, not zero
            return None

    def _published(self) -> int:
        return self.relay.published if self.relay is not None else 0
