"""Load for the saga benchmark: orders POSTed to the order API, and a watch on `order_delivered`.

- `saturate`: closed loop, `concurrency` clients each sending its next order as soon as the last
  one was answered: the stack gets as much work as it can take.
- `open_loop`: orders sent on a fixed schedule (`rate` per second) whatever the replies do; each
  order's latency counts from its *scheduled* send time, so a stack that falls behind shows its
  queueing instead of slowing the load down (no coordinated omission).
- `DeliveryWatch`: reads `order_delivered` from the beginning (assigned partitions, no group) and
  keeps each order's delivery time: the OrderDelivered record's timestamp, set when the delivery
  service's relay produced it (the message key is the order id).

The clients are stdlib `http.client` keep-alive connections, one per thread: the load generator's
own CPU is measured (and reported) apart from the stack's.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

DELIVERED_TOPIC = "order_delivered"
SKU = "SKU-BENCH"


def order_json(i: int) -> bytes:
    return json.dumps(
        {
            "customer_id": f"bench-{i % 100}",
            "items": [{"sku": SKU, "quantity": 1, "unit_price": "12.50"}],
            "currency": "EUR",
            "payment_token": "tok_visa",
        }
    ).encode()


class OrderClient:
    """One keep-alive HTTP connection to the order API (use one per thread)."""

    def __init__(self, api_url: str) -> None:
        parts = urlsplit(api_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn: http.client.HTTPConnection | None = None

    def place(self, i: int) -> str:
        """POST one order; its id. Reconnects once if the kept-alive connection was closed."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(
                    "POST", "/orders", order_json(i), {"Content-Type": "application/json"}
                )
                response = self.conn.getresponse()
                body = response.read()
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            if response.status != 201:
                raise RuntimeError(f"POST /orders: {response.status} {body[:300]!r}")
            return str(json.loads(body)["id"])
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


@dataclass
class DeliveryWatch:
    """Delivery time (epoch seconds) of every order seen on `order_delivered`, by order id."""

    bootstrap: str
    partitions: int = 3
    delivered: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> DeliveryWatch:
        consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap,
                "group.id": "bench-delivery-watch",  # never joined: partitions are assigned
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 100,
            }
        )
        consumer.assign(
            [TopicPartition(DELIVERED_TOPIC, p, OFFSET_BEGINNING) for p in range(self.partitions)]
        )

        def run() -> None:
            try:
                while not self._stop.is_set():
                    batch = consumer.consume(500, timeout=0.2)
                    seen = {}
                    for msg in batch:
                        key = msg.key()
                        if msg.error() is None and key is not None:
                            seen[key.decode()] = msg.timestamp()[1] / 1000
                    if seen:
                        with self._changed:
                            self.delivered.update(seen)
                            self._changed.notify_all()
            finally:
                consumer.close()

        self._thread = threading.Thread(target=run, name="delivery-watch", daemon=True)
        self._thread.start()
        return self

    def wait_for(self, order_ids: Iterable[str], timeout: float) -> float:
        """Block until every order is delivered; the latest delivery time among them."""
        wanted = set(order_ids)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                missing = wanted - self.delivered.keys()
                if not missing:
                    return max(self.delivered[o] for o in wanted)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(
                        f"{len(missing)} of {len(wanted)} orders not delivered in {timeout:.0f} s"
                    )
                self._changed.wait(min(left, 1.0))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)


@dataclass(frozen=True)
class Sent:
    order_id: str
    scheduled_at: float  # epoch seconds: when the order was due to be sent


def saturate(api_url: str, orders: int, concurrency: int, first: int = 0) -> list[Sent]:
    """Closed loop: `orders` orders from `concurrency` clients, each as fast as answered."""
    next_i = iter(range(first, first + orders))
    lock = threading.Lock()
    sent: list[Sent] = []

    def client_loop() -> list[Sent]:
        client, mine = OrderClient(api_url), list[Sent]()
        try:
            while True:
                with lock:
                    i = next(next_i, None)
                if i is None:
                    return mine
                at = time.time()
                mine.append(Sent(client.place(i), at))
        finally:
            client.close()

    with ThreadPoolExecutor(concurrency) as pool:
        for part in pool.map(lambda _: client_loop(), range(concurrency)):
            sent += part
    return sent


def open_loop(
    api_url: str, rate: float, seconds: float, first: int = 0, workers: int = 32
) -> list[Sent]:
    """Open loop: order k is due at start + k / rate for `seconds`; sent by whichever of
    `workers` clients is free (late when all are busy: the lateness counts in its latency)."""
    total = max(1, int(rate * seconds))
    local = threading.local()
    clients: list[OrderClient] = []

    def send(i: int, due: float) -> Sent:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = OrderClient(api_url)
            clients.append(client)
        return Sent(client.place(i), due)

    start_wall, start_mono = time.time(), time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        futures = []
        for k in range(total):
            offset = k / rate
            delay = start_mono + offset - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(send, first + k, start_wall + offset))
        sent = [f.result() for f in futures]
    for client in clients:
        client.close()
    return sent
