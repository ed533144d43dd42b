"""The live trace of `make run`: every saga event, decoded through the registry, one line each."""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from services import events as ev
from services.events import Event
from services.runtime.consumer import to_incoming
from services.runtime.serde import EventSerde

LABELS: dict[type[Event], str] = {
    ev.OrderCreated: "Order Created",
    ev.OrderPaid: "Payment Processed",
    ev.PaymentFailed: "Payment Failed",
    ev.InventoryReserved: "Inventory Reserved",
    ev.InventoryFailed: "Inventory Failed",
    ev.PaymentRefunded: "Payment Refunded",
    ev.OrderCancelled: "Order Cancelled",
    ev.OrderShipped: "Shipping",
    ev.OrderDelivered: "Delivered",
    ev.Notification: "Notification",
}


def describe(event: Event) -> str:
    """The facts of an event worth a glance."""
    match event:
        case ev.OrderCreated():
            lines = ", ".join(f"{i.quantity}x {i.sku}" for i in event.items)
            return f"customer {event.customer_id}: {lines} = {event.total} {event.currency}"
        case ev.OrderPaid() | ev.PaymentRefunded():
            return f"{event.amount} {event.currency} (payment {event.payment_id})"
        case ev.PaymentFailed():
            return f"{event.reason.value}: {event.detail}"
        case ev.InventoryReserved():
            return ", ".join(f"{line.quantity}x {line.sku}" for line in event.lines)
        case ev.InventoryFailed() | ev.OrderCancelled():
            return event.detail
        case ev.OrderShipped():
            return f"{event.carrier}, tracking {event.tracking_number}"
        case ev.OrderDelivered():
            return f"shipment {event.shipment_id}"
        case ev.Notification():
            channel, priority = event.channel.value, event.priority.value
            return f"{channel} to {event.customer_id} [{priority}]: {event.title}"
    return ""


# ANSI colours for a terminal: the end of the road in green, trouble in red, money back in yellow.
COLOURS: dict[type[Event], str] = {
    ev.OrderDelivered: "\033[32m",
    ev.PaymentFailed: "\033[31m",
    ev.InventoryFailed: "\033[31m",
    ev.OrderCancelled: "\033[31m",
    ev.PaymentRefunded: "\033[33m",
    ev.Notification: "\033[2m",
}
RESET = "\033[0m"


def format_line(event: Event, colour: bool = False) -> str:
    at = event.metadata.occurred_at.strftime("%H:%M:%S.%f")[:-3]
    order = (event.partition_key() or b"?").decode()[:8]  # every saga topic is keyed by order id
    label = LABELS.get(type(event), type(event).__name__)
    line = f"{at}  order {order}  {label:<19} {describe(event)}"
    start = COLOURS.get(type(event)) if colour else None
    return f"{start}{line}{RESET}" if start else line


class LiveTrace(threading.Thread):
    """Reads every saga topic from the beginning (no consumer group) and reports each event.

    Topics are read side by side, so events arrive slightly out of order; each is held for
    `hold_s` and released in `occurred_at` order, so the trace reads as the story happened.
    """

    hold_s = 0.6

    def __init__(self, bootstrap: str, registry_url: str, emit: Callable[[Event], None]):
        super().__init__(name="live-trace", daemon=True)
        self.serde = EventSerde.from_url(registry_url)
        self.emit = emit
        self.stop_event = threading.Event()
        self.consumer = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": "stack-trace", "enable.auto.commit": False}
        )

    def run(self) -> None:
        metadata = self.consumer.list_topics(timeout=10)
        assignment = [
            TopicPartition(topic, p, OFFSET_BEGINNING)
            for topic in ev.TOPIC_TYPES
            for p in metadata.topics[topic].partitions
        ]
        self.consumer.assign(assignment)
        held: list[tuple[float, int, Event]] = []  # (occurred_at, seq, event) heap
        seq = 0
        try:
            while not self.stop_event.is_set():
                for msg in self.consumer.consume(200, 0.1):
                    if msg.error():
                        continue
                    record = to_incoming(msg)
                    try:
                        event = self.serde.deserialize(record.value, record.topic)
                    except Exception as exc:  # a poison message: the trace reports it and goes on
                        print(f"  (undecodable message on {record.topic}: {exc})", flush=True)
                        continue
                    seq += 1
                    occurred = event.metadata.occurred_at.timestamp()
                    heapq.heappush(held, (occurred, seq, event))
                release_before = time.time() - self.hold_s
                while held and held[0][0] < release_before:
                    self.emit(heapq.heappop(held)[2])
            while held:
                self.emit(heapq.heappop(held)[2])
        finally:
            self.consumer.close()

    def stop(self) -> None:
        self.stop_event.set()
        self.join(5)
