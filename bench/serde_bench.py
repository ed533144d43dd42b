"""Per-message serialize / deserialize: the fastavro floor, our EventSerde, confluent's stock serde.

All three run in the same process against confluent's in-process mock registry (every contract
registered), so registry lookups are cached and only the per-message work is measured.  The six
functions (three paths, serialize and deserialize) take turns in each of REPEAT rounds and are
timed in process CPU time (bench/_timing.py), so a shared machine's busy moments hit all alike.

- floor: 5-byte header by hand + fastavro schemaless_writer / schemaless_reader on plain dicts
  (the dict the event's model_dump gives; decoding stops at the dict).
- ours: `EventSerde.serialize(event)` / `.deserialize(bytes)` (typed event <-> framed bytes).
- stock: `AvroSerializer(use.latest.version, auto.register.schemas False, to_dict=model_dump)` /
  `AvroDeserializer(from_dict=model_validate)`, so it too yields typed events.

Targets (ratios from this run): ours/floor round trip <= 1.3, stock/ours round trip >= 1.7.
"""

from __future__ import annotations

import io
import struct
from typing import Any

import fastavro
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from avrokit.defaults import parse_with_shared
from bench._timing import interleaved_us, progress
from services.events import SHARED_SCHEMAS, Event
from services.runtime.serde import EventSerde
from services.runtime.testing import mock_registry
from tests.samples import sample_events

NAME = "serde"
NUMBER = 2000  # calls per repetition
REPEAT = 7
HEADER = struct.Struct(">bI")
TARGET_OURS_OVER_FLOOR = 1.3
TARGET_STOCK_OVER_OURS = 1.7


def _paths(
    samples: list[tuple[str, Event]],
) -> dict[str, tuple[Any, Any]]:
    """path -> (serialize all samples once, deserialize all samples once)."""
    registry = mock_registry()
    serde = EventSerde(registry)
    framed = [(topic, serde.serialize(event, topic)) for topic, event in samples]

    # the floor: plain dicts and the same parsed schemas, header by hand
    floor_in = []
    for topic, event in samples:
        parsed = parse_with_shared(type(event).AVRO_SCHEMA, SHARED_SCHEMAS)
        schema_id = struct.unpack(">I", serde.serialize(event, topic)[1:5])[0]
        floor_in.append((parsed, schema_id, event.model_dump()))
    floor_bytes = [_floor_write(p, i, d) for p, i, d in floor_in]
    floor_parsed = [p for p, _, _ in floor_in]

    def floor_ser() -> None:
        for parsed, schema_id, record in floor_in:
            _floor_write(parsed, schema_id, record)

    def floor_de() -> None:
        for parsed, data in zip(floor_parsed, floor_bytes, strict=True):
            body = io.BytesIO(data)
            HEADER.unpack(body.read(5))
            fastavro.schemaless_reader(body, parsed, None)

    def ours_ser() -> None:
        for topic, event in samples:
            serde.serialize(event, topic)

    def ours_de() -> None:
        for topic, data in framed:
            serde.deserialize(data, topic)

    sers, desers = [], []
    for topic, event in samples:
        cls = type(event)
        ctx = SerializationContext(topic, MessageField.VALUE)
        ser = AvroSerializer(
            registry,
            None,
            lambda obj, _ctx: obj.model_dump(),
            conf={"auto.register.schemas": False, "use.latest.version": True},
        )
        de = AvroDeserializer(registry, None, lambda d, _ctx, cls=cls: cls.model_validate(d))
        data = ser(event, ctx)
        assert de(data, ctx) == event
        sers.append((ser, event, ctx))
        desers.append((de, data, ctx))

    def stock_ser() -> None:
        for ser, event, ctx in sers:
            ser(event, ctx)

    def stock_de() -> None:
        for de, data, ctx in desers:
            de(data, ctx)

    for topic, data in framed:  # correctness before speed
        assert serde.deserialize(data, topic) == dict(samples)[topic]
    return {
        "floor": (floor_ser, floor_de),
        "ours": (ours_ser, ours_de),
        "stock": (stock_ser, stock_de),
    }


def _floor_write(parsed: Any, schema_id: int, record: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    out.write(HEADER.pack(0, schema_id))
    fastavro.schemaless_writer(out, parsed, record)
    return out.getvalue()


def _measure(label: str, samples: list[tuple[str, Event]]) -> dict[str, Any]:
    n = len(samples)
    figures: dict[str, Any] = {"messages_per_call": n}
    paths = _paths(samples)
    progress(f"serde {label}: {', '.join(paths)}, taking turns")
    calls = {
        f"{path} {op}": fn for path, fns in paths.items() for op, fn in zip("sd", fns, strict=True)
    }
    median_us = interleaved_us(calls, max(1, NUMBER // n), REPEAT)
    for path in paths:
        s, d = median_us[f"{path} s"], median_us[f"{path} d"]
        figures[path] = {
            "serialize_us_per_msg": round(s / n, 3),
            "deserialize_us_per_msg": round(d / n, 3),
            "round_trip_us_per_msg": round((s + d) / n, 3),
        }
    floor, ours, stock = figures["floor"], figures["ours"], figures["stock"]
    ratios = {}
    for key in ("serialize", "deserialize", "round_trip"):
        k = f"{key}_us_per_msg"
        ratios[f"ours_over_floor_{key}"] = round(ours[k] / floor[k], 3)
        ratios[f"stock_over_ours_{key}"] = round(stock[k] / ours[k], 3)
    figures["ratios"] = ratios
    figures["targets"] = {
        "ours_over_floor_round_trip <= 1.3": ratios["ours_over_floor_round_trip"]
        <= TARGET_OURS_OVER_FLOOR,
        "stock_over_ours_round_trip >= 1.7": ratios["stock_over_ours_round_trip"]
        >= TARGET_STOCK_OVER_OURS,
    }
    return figures


def run() -> dict[str, Any]:
    samples = sample_events()
    order_created = [(t, e) for t, e in samples if t == "order_created"]
    return {
        "repetitions": REPEAT,
        "order_created": _measure("OrderCreated", order_created),
        "all_samples": _measure("all sample events", samples),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
