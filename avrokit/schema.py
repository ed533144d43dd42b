"""Parsing, strict validation and normal forms of Avro schemas.

`parse_schema` is stricter than `avro.schema.parse`: defaults must match their types, field names
must be unique and names valid. It reads primitives as Avro's Java parser (so Confluent) does: the
reserved attributes it ignores are dropped, and a primitive left with no property is its bare name
(`{"type": "int", "name": "X"}` is `"int"`). Two texts that differ only in whitespace or key order
have the same `canonical` form; `normalize_schema_text` goes further (full names, no redundant
wrappers), as Confluent's `normalize=true` does.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import avro.errors
import avro.name
import avro.schema
import fastavro
import fastavro._schema_common

from avrokit.errors import InvalidSchema, LimitExceeded
from avrokit.limits import DEFAULT_LIMITS, MAX_DEPTH, SchemaLimits, check_document, too_deep
from avrokit.names import NAMED, PRIMITIVES, qualify

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Attributes Avro's Java parser (Schema.SCHEMA_RESERVED) never keeps as properties of a type.
_RESERVED = frozenset(
    {"doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "aliases"}
)
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class ParsedSchema:
    """A validated Avro schema with the reference texts it was parsed against."""

    text: str  # compact JSON, key order as written
    canonical: str  # compact JSON, keys sorted: equal for texts equal up to whitespace/key order
    json: Any = field(repr=False, compare=False)
    avro: avro.schema.Schema = field(repr=False, compare=False)
    references: tuple[str, ...] = ()

    @property
    def name(self) -> str | None:
        return getattr(self.avro, "fullname", None)

    def normalized(self) -> str:
        return normalize_schema_text(self.text)


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compact_json(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def json_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of arrays and objects in JSON `text`, and the offset where it is
    first reached; an iterative scan, so a hostile depth costs no recursion."""
    depth = deepest = at = 0
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, i
        elif ch in "]}":
            depth -= 1
    return deepest, at


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str, what: str) -> Any:
    """JSON without NaN/Infinity; too-long integers are invalid too. Nesting deeper than the
    parser's stack is LimitExceeded (depth); `check_document` bounds it further."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        deepest, _ = json_depth(text)
        raise LimitExceeded(
            "depth", f"Invalid {what}: nested {deepest} levels deep; expected at most {MAX_DEPTH}"
        ) from None
    except (ValueError, TypeError) as exc:  # JSONDecodeError, int digits limit, NaN
        raise InvalidSchema(f"Invalid {what}: not valid JSON ({str(exc)[:200]})") from None


class _QuietDict(dict):
    """A JSON object whose repr is short: avro's parse errors quote the object of every level
    they pass through, which made messages grow with depth times size."""

    def __repr__(self) -> str:
        return "{...}"

    __str__ = __repr__


def _quiet(document: Any) -> Any:
    """A copy of `document` (already depth-checked) whose objects are `_QuietDict`s."""
    if isinstance(document, dict):
        return _QuietDict((k, _quiet(v)) for k, v in document.items())
    if isinstance(document, list):
        return [_quiet(v) for v in document]
    return document


def parse_schema(
    text: str,
    references: Sequence[str] = (),
    *,
    validate_defaults: bool = True,
    limits: SchemaLimits | None = DEFAULT_LIMITS,
) -> ParsedSchema:
    """Parse and strictly validate `text`; `references` are the texts of referenced schemas,
    dependencies first. Raises InvalidSchema naming the offending field, LimitExceeded when
    `text` is beyond `limits` (None: already checked, e.g. stored schemas)."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidSchema("Empty schema")
    try:
        obj = _loads(text, "schema")
    except LimitExceeded:
        raise too_deep(limits or DEFAULT_LIMITS) from None
    if limits is not None:
        check_document(obj, limits)
    ref_objs = [_loads(ref, "referenced schema") for ref in references]
    try:  # recursive, but the nesting is bounded (limits, or checked when it was stored)
        _check_structure(obj, "")
        obj = reduce_primitives(obj)
    except RecursionError:
        raise too_deep(limits or DEFAULT_LIMITS) from None
    names = avro.name.Names(validate_names=True)
    named: dict[str, Any] = {}
    with warnings.catch_warnings():
        # avro-python warns (on stderr) about logical types it does not know and reads them as
        # their base type, as resolution does: nothing for the caller to act on.
        warnings.simplefilter("ignore", avro.errors.IgnoredLogicalType)
        parsed = _parse(obj, ref_objs, names, named, validate_defaults)
    return ParsedSchema(
        text=compact_json(obj),
        canonical=canonical_json(obj),
        json=obj,
        avro=parsed,
        references=tuple(references),
    )


def _parse(
    obj: Any, ref_objs: list[Any], names: avro.name.Names, named: dict[str, Any], defaults: bool
) -> avro.schema.Schema:
    try:
        for ref in ref_objs:
            avro.schema.make_avsc_object(_quiet(ref), names)
        parsed = avro.schema.make_avsc_object(_quiet(obj), names)
        if defaults:  # before fastavro, so the reason names the field and its path
            _check_defaults(parsed, "", set())
        for ref in ref_objs:
            fastavro.parse_schema(ref, named_schemas=named, _write_hint=False)
        fastavro.parse_schema(obj, named_schemas=named, _write_hint=False)
    except InvalidSchema:
        raise
    except (avro.errors.AvroException, fastavro._schema_common.SchemaParseException) as exc:
        raise InvalidSchema(f"Invalid schema: {exc}") from None
    except RecursionError:
        raise LimitExceeded(
            "depth", "Schema nesting too deep (with its references) to parse"
        ) from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InvalidSchema(f"Invalid schema: {type(exc).__name__}: {exc}") from None
    return parsed


# --- structural checks with JSON-pointer paths ------------------------------------------------


def _check_name(name: Any, path: str, what: str, dotted: bool = True) -> None:
    if not isinstance(name, str) or not name:
        got = "none" if name is None else repr(name)
        raise InvalidSchema(
            f"{what} at '{path or '/'}' must have a non-empty string name (got {got})"
        )
    parts = name.split(".") if dotted else [name]
    if not all(_NAME.match(p) for p in parts):
        raise InvalidSchema(f"Invalid name '{name}' for {what} at '{path or '/'}'")


def check_structure(obj: Any) -> None:
    """Strict structure of a schema's JSON: names valid, record fields a list of objects with
    unique names and a type each, enum symbols, fixed sizes, array items, map values. Raises
    InvalidSchema naming the JSON path; does not resolve names or check defaults."""
    _check_structure(obj, "")


def _check_structure(obj: Any, path: str) -> None:
    if isinstance(obj, list):
        for i, branch in enumerate(obj):
            _check_structure(branch, f"{path}/{i}")
        return
    if not isinstance(obj, dict):
        if not isinstance(obj, str):
            raise InvalidSchema(f"Invalid type at '{path or '/'}': {obj!r}")
        return
    kind = obj.get("type")
    if kind in NAMED:
        _check_name(obj.get("name"), path, f"{kind} type")
        ns = obj.get("namespace")
        if ns not in (None, "") and not (
            isinstance(ns, str) and all(_NAME.match(p) for p in ns.split("."))
        ):
            raise InvalidSchema(f"Invalid namespace '{ns}' at '{path or '/'}'")
    if kind in ("record", "error"):
        fields = obj.get("fields")
        if not isinstance(fields, list):
            raise InvalidSchema(
                f"Record '{obj.get('name')}' at '{path or '/'}' must have a 'fields' list "
                f"(got {'none' if fields is None else type(fields).__name__})"
            )
        seen: set[str] = set()
        for i, fld in enumerate(fields):
            fpath = f"{path}/fields/{i}"
            if not isinstance(fld, dict):
                raise InvalidSchema(f"Field at '{fpath}' must be an object")
            name = fld.get("name")
            _check_name(name, fpath, "field", dotted=False)
            if name in seen:
                raise InvalidSchema(
                    f"Duplicate field name '{name}' in record '{obj.get('name')}' at '{fpath}'"
                )
            seen.add(str(name))
            if "type" not in fld:
                raise InvalidSchema(f"Field '{name}' at '{fpath}' has no type")
            _check_structure(fld["type"], f"{fpath}/type")
    elif kind == "enum":
        symbols = obj.get("symbols")
        if not isinstance(symbols, list) or not symbols:
            raise InvalidSchema(f"Enum '{obj.get('name')}' must have a non-empty 'symbols' list")
        for sym in symbols:
            _check_name(sym, path, f"symbol of enum '{obj.get('name')}'", dotted=False)
        if len(set(symbols)) != len(symbols):
            raise InvalidSchema(f"Duplicate symbol in enum '{obj.get('name')}'")
    elif kind == "fixed":
        size = obj.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise InvalidSchema(f"Fixed '{obj.get('name')}' must have a non-negative integer size")
    elif kind == "array":
        if "items" not in obj:
            raise InvalidSchema(f"Array at '{path or '/'}' has no 'items'")
        _check_structure(obj["items"], f"{path}/items")
    elif kind == "map":
        if "values" not in obj:
            raise InvalidSchema(f"Map at '{path or '/'}' has no 'values'")
        _check_structure(obj["values"], f"{path}/values")
    elif isinstance(kind, (dict, list)):
        _check_structure(kind, f"{path}/type")
    elif kind is None:
        raise InvalidSchema(f"Missing 'type' at '{path or '/'}'")


def reduce_primitives(obj: Any) -> Any:
    """`obj` with every primitive read as Avro reads it: reserved attributes dropped, and a
    primitive without other properties written as its bare name. Other nodes are unchanged."""
    if isinstance(obj, list):
        return [reduce_primitives(branch) for branch in obj]
    if not isinstance(obj, dict):
        return obj
    kind = obj.get("type")
    if kind in PRIMITIVES:
        kept = {k: v for k, v in obj.items() if k == "type" or k not in _RESERVED}
        return kind if len(kept) == 1 else kept
    if kind in ("record", "error") and isinstance(obj.get("fields"), list):
        fields = [_reduce_field(f) for f in obj["fields"]]
        return {**obj, "fields": fields}
    if kind == "array" and "items" in obj:
        return {**obj, "items": reduce_primitives(obj["items"])}
    if kind == "map" and "values" in obj:
        return {**obj, "values": reduce_primitives(obj["values"])}
    if isinstance(kind, (dict, list)):
        return {**obj, "type": reduce_primitives(kind)}
    return obj


def _reduce_field(field: Any) -> Any:
    if isinstance(field, dict) and "type" in field:
        return {**field, "type": reduce_primitives(field["type"])}
    return field


# --- default values -------------------------------------------------------------------------


def _default_ok(schema: Any, value: Any) -> bool:  # noqa: C901 - a flat type switch
    t = schema.type
    if t == "null":
        return value is None
    if t == "boolean":
        return isinstance(value, bool)
    if t in ("int", "long"):
        lo, hi = _INT32 if t == "int" else _INT64
        return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi
    if t in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t in ("string", "bytes"):
        return isinstance(value, str)
    if t == "fixed":
        return isinstance(value, str) and len(value) == schema.size
    if t == "enum":
        return isinstance(value, str) and value in schema.symbols
    if t == "array":
        return isinstance(value, list) and all(_default_ok(schema.items, v) for v in value)
    if t == "map":
        return isinstance(value, dict) and all(
            _default_ok(schema.values, v) for v in value.values()
        )
    if t == "union":
        return any(_default_ok(branch, value) for branch in schema.schemas)
    if t in ("record", "error"):
        if not isinstance(value, dict):
            return False
        for fld in schema.fields:
            if fld.name in value:
                if not _default_ok(fld.type, value[fld.name]):
                    return False
            elif not fld.has_default:
                return False
        return True
    return True


def _type_label(schema: Any) -> str:
    if schema.type == "union":
        return "[" + ", ".join(_type_label(s) for s in schema.schemas) + "]"
    return getattr(schema, "fullname", None) or str(schema.type)


def _check_defaults(schema: Any, path: str, seen: set[int]) -> None:
    if id(schema) in seen:
        return
    seen.add(id(schema))
    t = schema.type
    if t in ("record", "error"):
        for i, fld in enumerate(schema.fields):
            if fld.has_default and not _default_ok(fld.type, fld.default):
                raise InvalidSchema(
                    f"Invalid default for field '{fld.name}' of record '{schema.fullname}' at "
                    f"'{path}/fields/{i}/default': {json.dumps(fld.default)} is not a valid "
                    f"{_type_label(fld.type)}"
                )
            _check_defaults(fld.type, f"{path}/fields/{i}/type", seen)
    elif t == "array":
        _check_defaults(schema.items, f"{path}/items", seen)
    elif t == "map":
        _check_defaults(schema.values, f"{path}/values", seen)
    elif t == "union":
        for i, branch in enumerate(schema.schemas):
            _check_defaults(branch, f"{path}/{i}", seen)


# --- normalization (normalize=true) -----------------------------------------------------------


def _normalize(obj: Any, namespace: str | None) -> Any:
    if isinstance(obj, str):
        return obj if obj in PRIMITIVES else qualify(obj, namespace)
    if isinstance(obj, list):
        return [_normalize(branch, namespace) for branch in obj]
    if not isinstance(obj, dict):
        return obj
    kind = obj.get("type")
    out = {k: v for k, v in obj.items() if k != "namespace"}
    if kind in NAMED:
        ns = obj.get("namespace", namespace) or None
        full = qualify(obj["name"], ns)
        out["name"] = full
        inner_ns = full.rsplit(".", 1)[0] if "." in full else None
        if "aliases" in obj and isinstance(obj["aliases"], list):
            out["aliases"] = [qualify(a, inner_ns) for a in obj["aliases"]]
        if kind in ("record", "error"):
            out["fields"] = [
                {**f, "type": _normalize(f["type"], inner_ns)} for f in obj.get("fields", [])
            ]
    elif kind == "array":
        out["items"] = _normalize(obj["items"], namespace)
    elif kind == "map":
        out["values"] = _normalize(obj["values"], namespace)
    elif isinstance(kind, (dict, list)):
        return (
            _normalize(kind, namespace)
            if len(obj) == 1
            else {**out, "type": _normalize(kind, namespace)}
        )
    elif kind in PRIMITIVES and len(obj) == 1:
        return kind
    return out


def normalize_schema_text(text: str) -> str:
    """Confluent-style normalized form: full names, no namespace keys, `{"type": "int"}` -> "int",
    keys sorted. Keeps docs, defaults, aliases, logical types and other properties."""
    return canonical_json(_normalize(reduce_primitives(_loads(text, "schema")), None))
