"""Cheap checks of field values whose Python type is already right, for fast_model's plans.

Each check returns the value (possibly the one pydantic would store, e.g. cut to the millisecond)
or raises `Fallback`: "not sure, let pydantic judge".  `Unsupported` marks an annotation or piece
of field metadata the planner does not handle, so the class keeps pydantic's own path.
"""

from __future__ import annotations

import datetime
import decimal
import inspect
import typing
import uuid
from collections.abc import Callable
from typing import Any

import annotated_types
import pydantic

from services.events.generated import cut_to_millis

Conv = Callable[[Any], Any]


class Fallback(Exception):
    """A value the fast path cannot vouch for: let pydantic decide."""


class Unsupported(Exception):
    """An annotation or class feature the planner does not handle."""


def fail() -> Any:
    raise Fallback


def run_steps(steps: list[Conv], v: Any) -> Any:
    for step in steps:
        v = step(v)
    return v


def exact_type(tp: type) -> Conv:
    def check(v: Any) -> Any:
        if type(v) is not tp:
            raise Fallback
        return v

    return check


def aware(v: Any) -> Any:
    if type(v) is not datetime.datetime or v.utcoffset() is None:
        raise Fallback
    return v


def exact_uuid(v: Any) -> Any:
    if type(v) is not uuid.UUID:
        raise Fallback
    return v


# Validators known to return their input unchanged (an equal value) for some inputs: the
# generated TIMESTAMP_MILLIS cuts datetimes to the millisecond, which fastavro's
# timestamp-millis values already are.
NO_OP_WHEN: dict[Callable[..., Any], Callable[[Any], bool]] = {
    cut_to_millis: lambda v: v.microsecond % 1000 == 0,
}


def metadata_check(meta: Any, tp: Any) -> Conv | None:
    """A check for one piece of field metadata; raises Unsupported for unknown metadata."""
    if meta is None:
        return None
    if isinstance(meta, annotated_types.Interval):
        bounds = [
            b for b in (meta.gt, meta.ge, meta.lt, meta.le) if b is not None
        ]  # all None: no bound
        if not bounds:
            return None
        parts = [
            annotated_types.Gt(meta.gt) if meta.gt is not None else None,
            annotated_types.Ge(meta.ge) if meta.ge is not None else None,
            annotated_types.Lt(meta.lt) if meta.lt is not None else None,
            annotated_types.Le(meta.le) if meta.le is not None else None,
        ]
        steps = [c for c in (metadata_check(p, tp) for p in parts) if c is not None]
        return lambda v: run_steps(steps, v)
    if isinstance(meta, annotated_types.Ge):
        ge = meta.ge
        return lambda v: v if v >= ge else fail()
    if isinstance(meta, annotated_types.Le):
        le = meta.le
        return lambda v: v if v <= le else fail()
    if isinstance(meta, annotated_types.Gt):
        gt = meta.gt
        return lambda v: v if v > gt else fail()
    if isinstance(meta, annotated_types.Lt):
        lt = meta.lt
        return lambda v: v if v < lt else fail()
    if isinstance(meta, annotated_types.MinLen):
        n = meta.min_length
        return lambda v: v if len(v) >= n else fail()
    if isinstance(meta, annotated_types.MaxLen):
        n = meta.max_length
        return lambda v: v if len(v) <= n else fail()
    if isinstance(meta, pydantic.AfterValidator):
        func = meta.func
        try:
            params = inspect.signature(func).parameters
        except (TypeError, ValueError) as exc:
            raise Unsupported("after validator signature") from exc
        if len(params) != 1:
            raise Unsupported("after validator with info")
        validate = typing.cast(Conv, func)  # one parameter, checked just above
        skip_when = NO_OP_WHEN.get(func)
        if skip_when is not None:
            return lambda v: v if skip_when(v) else validate(v)
        return validate
    general = type(meta).__name__ == "_PydanticGeneralMetadata"
    if general and set(vars(meta)) <= {"max_digits", "decimal_places"}:
        return decimal_check(vars(meta).get("max_digits"), vars(meta).get("decimal_places"))
    raise Unsupported(f"field metadata {meta!r}")


def decimal_check(max_digits: int | None, decimal_places: int | None) -> Conv:
    """Accept only decimals pydantic's condecimal accepts unchanged, cheaply.

    With the exponent at least -decimal_places and |v| < 10 ** (max_digits - decimal_places),
    pydantic's digit counts (decimals = -exponent, digits = max(len(digits), decimals)) are
    within bounds; anything else (including NaN / infinity) goes to pydantic.
    """
    min_exp = -decimal_places if decimal_places is not None else None
    bound = (
        decimal.Decimal(10) ** (max_digits - (decimal_places or 0))
        if max_digits is not None
        else None
    )

    # exactly decimal_places places: what fastavro decodes for a schema of that scale
    usual = decimal.Decimal(1).scaleb(min_exp) if min_exp is not None else None

    def check(v: Any) -> Any:
        if type(v) is not decimal.Decimal:
            raise Fallback
        if usual is None or not v.same_quantum(usual):  # else: a cheap C call says it all
            exponent = v.as_tuple().exponent
            if type(exponent) is not int or (min_exp is not None and exponent < min_exp):
                raise Fallback
        if bound is not None and not -bound < v < bound:
            raise Fallback
        return v

    return check
