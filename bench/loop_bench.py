"""A service's consume -> decode -> build next event -> encode -> produce loop on the real broker.

Starts its own Tansu broker and Schema Registry (free ports, temporary data dir), creates one
partition `order_created` / `order_paid` topics, registers the contracts, fills `order_created`
with EVENTS OrderCreated messages once, then runs the payment-like loop over them (OrderCreated in,
OrderPaid out, offsets committed asynchronously per batch) alternately with our EventSerde and
with confluent's stock AvroSerializer / AvroDeserializer. Everything else is identical.
After one uncounted warm-up pass each, runs the two loops back to back REPEAT times (ours, stock,
ours, stock...) and reports the median events/s of each and the median of the REPEAT paired
ratios ours/stock (target >= 2): a pair shares the machine's load of that moment.  Then the same
input through the runtime's Processor, with and without its per-message observability
(bench/handling.py): the ratio observed / bare.
"""

from __future__ import annotations

import datetime
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from bench._timing import progress
from bench.handling import added_cost_us, fetch, handling_rate
from services import events as ev
from services.runtime.serde import EventSerde
from stack.broker import start_broker
from stack.contracts import register_contracts
from stack.process import free_port
from stack.registry_process import start_registry
from tests.samples import sample_events

NAME = "loop"
EVENTS = 20_000
REPEAT = 5
BATCH = 500
IN_TOPIC, OUT_TOPIC = "order_created", "order_paid"
TARGET_OURS_OVER_STOCK = 2.0
HANDLING_EVENTS, HANDLING_REPEAT = 5_000, 7

Decode = Callable[[bytes | None], ev.OrderCreated]
Encode = Callable[[ev.OrderPaid], bytes | None]


def next_event(created: ev.OrderCreated) -> ev.OrderPaid:
    """The transform: what a payment service emits for an order (same for both serdes)."""
    return ev.OrderPaid(
        metadata=ev.EventMetadata(
            event_id=uuid.uuid4(),
            correlation_id=created.metadata.correlation_id,
            causation_id=created.metadata.event_id,
            occurred_at=datetime.datetime.now(datetime.UTC),
            producer="payment",
        ),
        order_id=created.order_id,
        payment_id=f"pay-{created.order_id}",
        amount=created.total,
        currency=created.currency,
    )


def _loop(bootstrap: str, decode: Decode, encode: Encode, run_id: str) -> float:
    """events/s of one pass over the EVENTS input messages."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"bench-{run_id}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all"})
    consumer.assign([TopicPartition(IN_TOPIC, 0, 0)])  # no group join: assign the one partition
    done = 0
    started: float | None = None
    try:
        while done < EVENTS:
            batch = consumer.consume(BATCH, timeout=1.0)
            if not batch:
                continue
            if started is None:
                started = time.perf_counter()
            for msg in batch:
                if msg.error():
                    raise RuntimeError(str(msg.error()))
                created = decode(msg.value())
                paid = next_event(created)
                producer.produce(OUT_TOPIC, encode(paid), paid.partition_key())
            producer.poll(0)
            consumer.commit(asynchronous=True)
            done += len(batch)
        producer.flush(30)
        assert started is not None
        return done / (time.perf_counter() - started)
    finally:
        consumer.close()


def _serdes(registry_url: str) -> dict[str, tuple[Decode, Encode]]:
    ours = EventSerde.from_url(registry_url)
    client = SchemaRegistryClient({"url": registry_url})
    in_ctx = SerializationContext(IN_TOPIC, MessageField.VALUE)
    out_ctx = SerializationContext(OUT_TOPIC, MessageField.VALUE)
    stock_de = AvroDeserializer(client, None, lambda d, _ctx: ev.OrderCreated.model_validate(d))
    stock_ser = AvroSerializer(
        client,
        None,
        lambda obj, _ctx: obj.model_dump(),
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    return {
        "ours": (
            lambda data: cast(ev.OrderCreated, ours.deserialize(data, IN_TOPIC)),
            lambda event: ours.serialize(event, OUT_TOPIC),
        ),
        "stock": (
            lambda data: stock_de(data, in_ctx),
            lambda event: stock_ser(event, out_ctx),
        ),
    }


def _prepare(bootstrap: str, registry_url: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for topic, future in admin.create_topics(
        [NewTopic(IN_TOPIC, 1, 1), NewTopic(OUT_TOPIC, 1, 1)], operation_timeout=30
    ).items():
        future.result()
        progress(f"loop: topic {topic} (1 partition)")
    register_contracts(registry_url)
    serde = EventSerde.from_url(registry_url)
    template = dict(sample_events())[IN_TOPIC]
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for i in range(EVENTS):
        event = template.model_copy(
            update={
                "order_id": uuid.uuid4(),
                "metadata": template.metadata.model_copy(update={"event_id": uuid.uuid4()}),
                "customer_id": f"customer-{i}",
            }
        )
        producer.produce(IN_TOPIC, serde.serialize(event, IN_TOPIC), event.partition_key())
        if i % 1000 == 0:
            producer.poll(0)
    producer.flush(30)
    progress(f"loop: {EVENTS} OrderCreated produced")


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-loop-") as tmp:
        tmp_path = Path(tmp)
        broker_port, registry_port = free_port(), free_port()
        progress("loop: starting Tansu broker and schema registry")
        broker = start_broker(broker_port, tmp_path / "broker.log")
        try:
            registry = start_registry(registry_port, tmp_path / "registry", tmp_path / "reg.log")
            try:
                bootstrap = f"127.0.0.1:{broker_port}"
                registry_url = f"http://127.0.0.1:{registry_port}"
                _prepare(bootstrap, registry_url)
                serdes = _serdes(registry_url)
                rates: dict[str, list[float]] = {name: [] for name in serdes}
                for name, (decode, encode) in serdes.items():  # warm-up, not counted
                    _loop(bootstrap, decode, encode, f"{name}-warmup")
                for rep in range(REPEAT):
                    for name, (decode, encode) in serdes.items():
                        rate = _loop(bootstrap, decode, encode, f"{name}-{rep}")
                        rates[name].append(rate)
                        progress(f"loop: {name} run {rep + 1}/{REPEAT}: {rate:,.0f} events/s")
                handling = _handling(bootstrap, registry_url)
            finally:
                registry.stop()
        finally:
            broker.stop()
    medians = {name: statistics.median(r) for name, r in rates.items()}
    ratio = statistics.median(o / s for o, s in zip(rates["ours"], rates["stock"], strict=True))
    return {
        "events_per_run": EVENTS,
        "repetitions": REPEAT,
        "partitions": 1,
        "batch": BATCH,
        "commit": "async per batch",
        "ours_events_per_s": round(medians["ours"]),
        "stock_events_per_s": round(medians["stock"]),
        "runs_events_per_s": {name: [round(x) for x in r] for name, r in rates.items()},
        "ours_over_stock_runs": [
            round(o / s, 3) for o, s in zip(rates["ours"], rates["stock"], strict=True)
        ],
        "ours_over_stock": round(ratio, 3),
        "handling": handling,
        "targets": {
            "ours_over_stock >= 2": ratio >= TARGET_OURS_OVER_STOCK,
            "observability <= 5% of a handling": handling["added_share_of_a_handling"] <= 0.05,
        },
    }


def _handling(bootstrap: str, registry_url: str) -> dict[str, Any]:
    """The runtime's Processor over the same input, with and without observability (handling.py),
    alternated REPEAT times after a warm-up of each."""
    messages = fetch(bootstrap, IN_TOPIC, HANDLING_EVENTS)
    rates: dict[str, list[float]] = {"observed": [], "bare": []}
    for rep in range(HANDLING_REPEAT + 1):
        for name in rates:
            rate = handling_rate(registry_url, messages, name == "observed", next_event)
            if rep:  # the first pass of each warms up
                rates[name].append(rate)
                progress(f"loop: handling {name} run {rep}/{HANDLING_REPEAT}: {rate:,.0f}/s")
    medians = {name: statistics.median(r) for name, r in rates.items()}
    added_us = added_cost_us()
    return {
        "added_us_per_message": round(added_us, 2),
        # the same cost as a share of one bare handling measured in this run: robust to the noise
        # that moves the end-to-end passes by more than the cost itself
        "added_share_of_a_handling": round(added_us / (1e6 / medians["bare"]), 4),
        "observed_events_per_s": round(medians["observed"]),
        "bare_events_per_s": round(medians["bare"]),
        "runs_events_per_s": {name: [round(x) for x in r] for name, r in rates.items()},
        "messages_per_pass": len(messages),
        "observed_over_bare": round(medians["observed"] / medians["bare"], 3),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
