"""Generated pydantic events <-> fastavro records without pydantic's general-purpose machinery.

`to_avro(event)` gives what `event.model_dump()` gives, by walking `__dict__` (nested models and
lists of them become dicts); `from_avro(cls, record)` gives what `cls.model_validate(record)` gives
for a record that fastavro has just decoded *with the class's own schema as the writer schema*,
building instances directly the way `model_construct` does.

Why that is sound: fastavro already produced the right Python types for that schema (`uuid.UUID`,
`decimal.Decimal` with the schema's scale, tz-aware UTC `datetime` for timestamp-millis, `int` in
the int32 range, `str` enum symbols), so pydantic's type coercion has nothing left to do.  What
the Avro type does not guarantee is still checked: enums are looked up by value, decimals against
`max_digits` / `decimal_places`, numeric bounds, tz-awareness, and single-argument
`AfterValidator`s are applied.  Whenever a check fails (or anything unexpected is raised) the fast
path gives up and the record goes through `model_validate`, which either accepts it or raises the
usual `ValidationError`.  A class the planner does not understand (validators, serializers,
private attributes, aliases, unusual annotations...) always takes the pydantic path.

Each class gets a plan once: a small function generated from its field annotations (the same
technique `dataclasses` and `attrs` use), cached per class.  The checks on values live in
fast_checks.py.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import annotated_types
import pydantic
from pydantic.fields import FieldInfo

from services.runtime.fast_checks import (
    Conv,
    Unsupported,
    aware,
    exact_uuid,
    fail,
    metadata_check,
    run_steps,
)

__all__ = ["from_avro", "to_avro", "plan_for"]

M = TypeVar("M", bound=pydantic.BaseModel)
_set_attr = object.__setattr__


class Plan:
    """The per-class reader and writer; either is None when pydantic must do the work."""

    __slots__ = ("cls", "read", "write")

    def __init__(self, cls: type[pydantic.BaseModel], read: Conv | None, write: Conv | None):
        self.cls = cls
        self.read = read
        self.write = write


_PLANS: dict[type, Plan] = {}


def plan_for(cls: type[pydantic.BaseModel]) -> Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = Plan(cls, _try(_build_reader, cls), _try(_build_writer, cls))
    return plan


def _try(build: Callable[[type[pydantic.BaseModel]], Conv], cls: type[pydantic.BaseModel]) -> Any:
    try:
        return build(cls)
    except Unsupported:
        return None


def to_avro(event: pydantic.BaseModel) -> dict[str, Any]:
    """The record fastavro writes for `event`; equal to `event.model_dump()`."""
    write = plan_for(type(event)).write
    if write is None:
        return event.model_dump()
    return write(event)


def from_avro(cls: type[M], record: dict[str, Any]) -> M:
    """`cls.model_validate(record)` for a record fastavro decoded with `cls`'s own schema.

    Raises pydantic.ValidationError exactly when model_validate does.  Does not modify `record`.
    """
    read = plan_for(cls).read
    if read is not None:
        try:
            return read(record)
        except Exception:  # noqa: BLE001, S110 - any surprise: pydantic is the judge
            pass
    return cls.model_validate(record)


# -- planning ----------------------------------------------------------------------------------


def _check_class(cls: type[pydantic.BaseModel], for_read: bool) -> None:
    decorators = cls.__pydantic_decorators__
    if for_read and (
        decorators.validators
        or decorators.field_validators
        or decorators.root_validators
        or decorators.model_validators
    ):
        raise Unsupported(f"{cls.__name__}: validators")
    if not for_read and (
        decorators.field_serializers or decorators.model_serializers or decorators.computed_fields
    ):
        raise Unsupported(f"{cls.__name__}: serializers")
    if cls.__private_attributes__ or cls.__pydantic_post_init__:
        raise Unsupported(f"{cls.__name__}: private attributes / post-init")
    config = cls.model_config
    if config.get("extra") == "allow" or config.get("from_attributes") or config.get("strict"):
        raise Unsupported(f"{cls.__name__}: config")
    if cls.__pydantic_root_model__:
        raise Unsupported(f"{cls.__name__}: root model")


def _build_reader(cls: type[pydantic.BaseModel]) -> Conv:
    _check_class(cls, for_read=True)
    env: dict[str, Any] = {"_new": cls.__new__, "_cls": cls, "_set": _set_attr}
    items = []
    for i, (name, field) in enumerate(cls.model_fields.items()):
        if field.validation_alias is not None or (field.alias and field.alias != name):
            raise Unsupported(f"{cls.__name__}.{name}: alias")
        conv = _field_reader(field)
        if conv is None:
            items.append(f"{name!r}: r[{name!r}]")
        else:
            env[f"_c{i}"] = conv
            items.append(f"{name!r}: _c{i}(r[{name!r}])")
    env["_names"] = set(cls.model_fields)
    src = (
        "def read(r):\n"
        f"    d = {{{', '.join(items)}}}\n"
        "    if len(r) != len(d):\n"
        "        raise KeyError('unexpected keys')\n"
        "    m = _new(_cls)\n"
        "    _set(m, '__dict__', d)\n"
        "    _set(m, '__pydantic_fields_set__', _names.copy())\n"
        "    _set(m, '__pydantic_extra__', None)\n"
        "    _set(m, '__pydantic_private__', None)\n"
        "    return m\n"
    )
    exec(compile(src, f"<fast_model reader {cls.__qualname__}>", "exec"), env)  # noqa: S102
    return env["read"]


def _build_writer(cls: type[pydantic.BaseModel]) -> Conv:
    _check_class(cls, for_read=False)
    env: dict[str, Any] = {}
    items = []
    for i, (name, field) in enumerate(cls.model_fields.items()):
        if field.exclude or (field.serialization_alias and field.serialization_alias != name):
            raise Unsupported(f"{cls.__name__}.{name}: excluded / aliased")
        if any(
            isinstance(m, (pydantic.PlainSerializer, pydantic.WrapSerializer))
            for m in field.metadata
        ):
            raise Unsupported(f"{cls.__name__}.{name}: serializer")
        conv = _writer(field.annotation)
        if conv is None:
            items.append(f"{name!r}: d[{name!r}]")
        else:
            env[f"_c{i}"] = conv
            items.append(f"{name!r}: _c{i}(d[{name!r}])")
    src = f"def write(m):\n    d = m.__dict__\n    return {{{', '.join(items)}}}\n"
    exec(compile(src, f"<fast_model writer {cls.__qualname__}>", "exec"), env)  # noqa: S102
    return env["write"]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, pydantic.BaseModel)


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(tp)
    return None


def _split_annotated(tp: Any) -> tuple[Any, list[Any]]:
    if typing.get_origin(tp) is typing.Annotated:
        base, *meta = typing.get_args(tp)
        return base, meta
    return tp, []


# Types fastavro returns as-is for a schema whose Python twin has this annotation.
_PLAIN = {str, int, float, bool, bytes, decimal.Decimal, datetime.datetime, datetime.date}


def _field_reader(field: FieldInfo) -> Conv | None:
    conv = _reader(field.annotation)
    bounds = _int32_bounds(field)
    metadata = [m for m in field.metadata if bounds is None or m not in bounds]
    checks: list[Conv] = [
        c for m in metadata if (c := metadata_check(m, field.annotation)) is not None
    ]
    if not checks:
        return conv
    if conv is not None:
        checks.insert(0, conv)
    if len(checks) == 1:
        return checks[0]

    def chained(v: Any) -> Any:
        for step in checks:
            v = step(v)
        return v

    return chained


_INT32 = (annotated_types.Ge(-(2**31)), annotated_types.Le(2**31 - 1))


def _int32_bounds(field: FieldInfo) -> tuple[Any, ...] | None:
    """The int32 range bounds, which an Avro int always satisfies."""
    if field.annotation is int and all(b in field.metadata for b in _INT32):
        return _INT32
    return None


def _reader(tp: Any) -> Conv | None:
    """A converter from the fastavro value to the field's value, None for identity."""
    tp, meta = _split_annotated(tp)
    if meta:
        steps = [c for c in (metadata_check(m, tp) for m in meta) if c is not None]
        inner = _reader(tp)
        if inner is not None:
            steps.insert(0, inner)
        if not steps:
            return None
        if len(steps) == 1:
            return steps[0]
        return lambda v: run_steps(steps, v)
    if tp is None or tp is type(None) or tp is Any:
        return None
    if _is_model(tp):
        sub = _PLANS.get(tp) or plan_for(tp)
        if sub.read is None:
            raise Unsupported(f"{tp.__name__}: no fast reader")
        return sub.read
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        by_value = {m.value: m for m in tp}
        return by_value.__getitem__  # KeyError -> pydantic reports the bad value
    if tp is pydantic.AwareDatetime:
        return aware
    if tp is uuid.UUID:
        return exact_uuid
    if tp in _PLAIN:
        return None  # fastavro returned this type for this schema
    args = _union_args(tp)
    if args is not None:
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) == 1:
            inner = _reader(non_none[0])
            if inner is None:
                return None
            one: Conv = inner  # a typed name: narrowing does not reach into the lambda
            return lambda v: None if v is None else one(v)
        raise Unsupported(f"union {tp!r}")
    origin = typing.get_origin(tp)
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        inner = _reader(item)
        if inner is None:
            return None
        each: Conv = inner
        return lambda v: [each(x) for x in v]
    if origin is dict:
        key, value = typing.get_args(tp) or (str, Any)
        inner = _reader(value)
        if key is not str:
            raise Unsupported(f"map key {key!r}")
        if inner is None:
            return None
        return lambda v: {k: inner(x) for k, x in v.items()}
    if origin is typing.Literal:
        allowed = frozenset(typing.get_args(tp))
        return lambda v: v if v in allowed else fail()
    raise Unsupported(f"annotation {tp!r}")


def _writer(tp: Any) -> Conv | None:
    """A converter from the field's value to what model_dump gives, None for identity."""
    tp, _ = _split_annotated(tp)
    if _is_model(tp):
        sub = plan_for(tp)
        if sub.write is None:
            raise Unsupported(f"{tp.__name__}: no fast writer")
        return sub.write
    args = _union_args(tp)
    if args is not None:
        convs = [_writer(a) for a in args if a is not type(None)]
        if all(c is None for c in convs):
            return None
        if len(convs) == 1:
            inner = convs[0]
            assert inner is not None
            one: Conv = inner
            return lambda v: None if v is None else one(v)
        raise Unsupported(f"union {tp!r}")
    origin = typing.get_origin(tp)
    if origin is list or origin is tuple:
        (item, *_) = typing.get_args(tp) or (Any,)
        inner = _writer(item)
        if inner is None:
            return list if origin is list else None
        each: Conv = inner
        return lambda v: [each(x) for x in v]
    if origin is dict:
        _, value = typing.get_args(tp) or (str, Any)
        inner = _writer(value)
        if inner is None:
            return dict
        return lambda v: {k: inner(x) for k, x in v.items()}
    if tp is Any or (isinstance(tp, type) and not issubclass(tp, (list, dict, set))):
        return None
    raise Unsupported(f"annotation {tp!r}")
