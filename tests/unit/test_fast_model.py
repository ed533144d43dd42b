"""fast_model's to_avro / from_avro give exactly what model_dump / model_validate give."""

from __future__ import annotations

import copy
import datetime
import io
import uuid
from decimal import Decimal
from typing import Any

import fastavro
import pydantic
import pytest

from avrokit.defaults import parse_with_shared
from services import events as ev
from services.runtime.fast_model import from_avro, plan_for, to_avro
from tests.samples import ORDER_ID, WHEN, metadata, sample_events

SAMPLES = sample_events()
IDS = [topic for topic, _ in SAMPLES]


def _decoded(event: ev.Event) -> dict[str, Any]:
    """The record fastavro decodes from the event's bytes, with the class's own schema."""
    parsed = parse_with_shared(type(event).AVRO_SCHEMA, ev.SHARED_SCHEMAS)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed, to_avro(event))
    out.seek(0)
    return fastavro.schemaless_reader(out, parsed, None)  # type: ignore[return-value]


def _same(fast: pydantic.BaseModel, slow: pydantic.BaseModel) -> None:
    assert type(fast) is type(slow)
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set


@pytest.mark.parametrize(("topic", "event"), SAMPLES, ids=IDS)
def test_every_event_class_has_a_fast_plan(topic: str, event: ev.Event) -> None:
    plan = plan_for(type(event))
    assert plan.read is not None and plan.write is not None


@pytest.mark.parametrize(("topic", "event"), SAMPLES, ids=IDS)
def test_to_avro_equals_model_dump(topic: str, event: ev.Event) -> None:
    assert to_avro(event) == event.model_dump()


@pytest.mark.parametrize(("topic", "event"), SAMPLES, ids=IDS)
def test_from_avro_equals_model_validate(topic: str, event: ev.Event) -> None:
    record = _decoded(event)
    slow = type(event).model_validate(copy.deepcopy(record))
    fast = from_avro(type(event), copy.deepcopy(record))
    _same(fast, slow)
    assert fast == event


def test_record_is_not_modified() -> None:
    _, event = SAMPLES[0]
    record = _decoded(event)
    before = copy.deepcopy(record)
    from_avro(type(event), record)
    assert record == before


def test_timestamps_stay_tz_aware_and_millisecond() -> None:
    event = ev.OrderDelivered(
        metadata=metadata("delivery"), order_id=ORDER_ID, shipment_id="s", delivered_at=WHEN
    )
    fast = from_avro(ev.OrderDelivered, _decoded(event))
    assert fast.delivered_at.tzinfo is not None
    assert fast.metadata.occurred_at.utcoffset() == datetime.timedelta(0)
    assert fast.delivered_at == WHEN


def test_none_optionals_and_empty_lists() -> None:
    meta = ev.EventMetadata(
        event_id=uuid.uuid4(), correlation_id=ORDER_ID, occurred_at=WHEN, producer="order"
    )
    assert meta.causation_id is None
    event = ev.OrderCreated(
        metadata=meta,
        order_id=ORDER_ID,
        customer_id="bob",
        items=[],
        total=Decimal("0.00"),
        currency="EUR",
        payment_token="tok",
        note=None,
    )
    assert to_avro(event) == event.model_dump()
    record = _decoded(event)
    _same(from_avro(ev.OrderCreated, copy.deepcopy(record)), ev.OrderCreated.model_validate(record))
    failed = ev.InventoryFailed(metadata=meta, order_id=ORDER_ID, missing_skus=[], detail="")
    _same(from_avro(ev.InventoryFailed, _decoded(failed)), failed)


@pytest.mark.parametrize("reason", list(ev.CancellationReason))
def test_enums_come_back_as_members(reason: ev.CancellationReason) -> None:
    event = ev.OrderCancelled(metadata=metadata(), order_id=ORDER_ID, reason=reason, detail="x")
    record = _decoded(event)
    assert type(record["reason"]) is str
    fast = from_avro(ev.OrderCancelled, record)
    assert type(fast.reason) is ev.CancellationReason and fast.reason is reason


def test_bad_values_are_judged_by_pydantic() -> None:
    _, event = SAMPLES[2]  # payment_failed, with an enum
    record = _decoded(event)
    record["reason"] = "NOT_A_REASON"
    with pytest.raises(pydantic.ValidationError, match="reason"):
        from_avro(ev.PaymentFailed, record)
    record = _decoded(event)
    record["amount"] = Decimal("1.234")  # more decimal places than the contract allows
    with pytest.raises(pydantic.ValidationError, match="amount"):
        from_avro(ev.PaymentFailed, record)
    record = _decoded(event)
    del record["detail"]
    with pytest.raises(pydantic.ValidationError, match="detail"):
        from_avro(ev.PaymentFailed, record)


@pytest.mark.parametrize(
    "amount",
    [
        "21.00",
        "21.5",
        "21",
        "1E+2",
        "-0.00",
        "999999999999.99",
        "1000000000000.00",
        "0.001",
        "NaN",
        "Infinity",
        "-Infinity",
    ],
)
def test_decimals_are_accepted_exactly_when_pydantic_accepts_them(amount: str) -> None:
    """The decimal check's shortcut (exactly two places) and its general path agree with
    pydantic's max_digits=14 / decimal_places=2 on every shape of value."""
    _, event = SAMPLES[1]  # order_paid: amount is decimal(14, 2)
    record = _decoded(event)
    record["amount"] = Decimal(amount)
    try:
        slow = ev.OrderPaid.model_validate(copy.deepcopy(record))
    except pydantic.ValidationError:
        with pytest.raises(pydantic.ValidationError, match="amount"):
            from_avro(ev.OrderPaid, record)
        return
    fast = from_avro(ev.OrderPaid, record)
    _same(fast, slow)
    assert str(fast.amount) == str(slow.amount)  # the same exponent, not only an equal value


def test_values_pydantic_would_change_go_through_pydantic() -> None:
    _, event = SAMPLES[1]  # order_paid
    record = _decoded(event)
    record["metadata"]["occurred_at"] = WHEN.replace(microsecond=123456)
    fast = from_avro(ev.OrderPaid, copy.deepcopy(record))
    _same(fast, ev.OrderPaid.model_validate(record))
    assert fast.metadata.occurred_at.microsecond == 123000


class _Validated(pydantic.BaseModel):
    n: int

    @pydantic.field_validator("n")
    @classmethod
    def double(cls, v: int) -> int:
        return v * 2


def test_classes_with_validators_take_the_pydantic_path() -> None:
    assert plan_for(_Validated).read is None
    assert from_avro(_Validated, {"n": 2}).n == 4


def test_the_generated_millisecond_cut_is_skipped_on_millisecond_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fastavro's timestamp-millis values are already whole milliseconds: the fast reader must
    not call the generated validator for them (it is keyed by the function itself)."""
    from services.runtime import fast_checks, fast_model

    [validator] = ev.EventMetadata.model_fields["occurred_at"].metadata
    assert validator.func in fast_checks.NO_OP_WHEN
    calls: list[object] = []

    def no_op_when(value: object) -> bool:
        calls.append(value)
        return True

    monkeypatch.setitem(fast_checks.NO_OP_WHEN, validator.func, no_op_when)
    monkeypatch.setattr(fast_model, "_PLANS", {})
    _, event = SAMPLES[1]
    assert from_avro(ev.OrderPaid, _decoded(event)) == event
    assert calls == [WHEN]
