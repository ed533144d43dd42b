"""Bounds on a schema document, checked before anything walks it recursively.

A schema that passes is safe to parse, check, store and serve: not nested deeper than the Python
stack allows every later step, records and unions no wider than a check can afford, and only
text and numbers JSON can carry back out (no lone surrogates, no NaN or infinite numbers). The
registry refuses more; the gate and codegen use the same defaults, so a contract the registry
would refuse fails the gate first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from avrokit.errors import InvalidSchema, LimitExceeded

MAX_DEPTH = 128  # JSON nesting; an Avro schema nests about 3 levels per nested record


@dataclass(frozen=True)
class SchemaLimits:
    max_depth: int = MAX_DEPTH  # nested JSON objects and arrays: about 42 nested records
    max_fields: int = 10_000  # fields of one record
    max_union_branches: int = 1_000  # branches of one union


DEFAULT_LIMITS = SchemaLimits()


def too_deep(limits: SchemaLimits) -> LimitExceeded:
    return LimitExceeded(
        "depth",
        f"Schema nesting too deep: more than {limits.max_depth} levels of nested JSON objects "
        f"and arrays (the limit, about {limits.max_depth // 3} nested records)",
    )


# Where a JSON node sits: a type, the `fields` list of a record, one field, or anything else
# (defaults, docs, custom properties: depth and text are checked there too).
_TYPE, _FIELDS, _FIELD, _OTHER = range(4)


def check_document(document: Any, limits: SchemaLimits = DEFAULT_LIMITS) -> None:
    """Raise LimitExceeded (depth, fields, union_branches) or InvalidSchema (text, numbers).

    Iterative, so it is safe on any document `json.loads` returns; linear in its size."""
    stack: list[tuple[Any, int, int]] = [(document, 1, _TYPE)]
    while stack:
        node, depth, where = stack.pop()
        if isinstance(node, str):
            _check_text(node)
        elif isinstance(node, float):
            if not math.isfinite(node):
                raise InvalidSchema("Invalid schema: NaN and infinite numbers are not valid JSON")
        elif isinstance(node, (dict, list)):
            if depth > limits.max_depth:
                raise too_deep(limits)
            if isinstance(node, list):
                if where == _TYPE and len(node) > limits.max_union_branches:
                    raise LimitExceeded(
                        "union_branches",
                        f"A union has {len(node):,} branches; the limit is "
                        f"{limits.max_union_branches:,} branches per union",
                    )
                child = {_TYPE: _TYPE, _FIELDS: _FIELD}.get(where, _OTHER)
                stack.extend((item, depth + 1, child) for item in node)
            else:
                _push_members(stack, node, depth, where, limits)


def _push_members(
    stack: list[tuple[Any, int, int]],
    node: dict[str, Any],
    depth: int,
    where: int,
    limits: SchemaLimits,
) -> None:
    kind = node.get("type") if where == _TYPE else None
    fields = node.get("fields")
    if kind in ("record", "error") and isinstance(fields, list) and len(fields) > limits.max_fields:
        raise LimitExceeded(
            "fields",
            f"Record '{str(node.get('name'))[:200]}' has {len(fields):,} fields; the limit is "
            f"{limits.max_fields:,} fields per record",
        )
    for key, value in node.items():
        _check_text(key)
        if where == _TYPE and (key in ("items", "values", "type")):
            child = _TYPE
        elif where == _TYPE and key == "fields" and kind in ("record", "error"):
            child = _FIELDS
        elif where == _FIELD and key == "type":
            child = _TYPE
        else:
            child = _OTHER
        stack.append((value, depth + 1, child))


def is_unicode_text(text: str) -> bool:
    """False for a string holding a lone surrogate (JSON's unpaired `\\ud800`-`\\udfff`
    escapes decode to one): it cannot be stored or sent as UTF-8."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_text(text: str) -> None:
    if not is_unicode_text(text):
        raise InvalidSchema(
            "Invalid schema: a string contains a lone surrogate (an unpaired \\ud800-\\udfff "
            "escape), which is not Unicode text"
        )


def lone_surrogate(value: Any) -> bool:
    """Whether any string (key or value) inside `value` holds a lone surrogate."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if not is_unicode_text(node):
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return False
