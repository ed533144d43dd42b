"""Avro types -> Python source: a field's annotation and its default's expression.

    null -> None            boolean -> bool           int -> INT32 (range-checked)
    long -> INT64           float, double -> float    bytes -> bytes     string -> str
    array -> list[T]        map -> dict[str, T]       union -> A | B (| None)
    record -> its class     enum -> its (str, Enum) class
    fixed -> bytes of exactly `size` bytes
    string/uuid -> uuid.UUID
    bytes or fixed/decimal -> Decimal with pydantic's max_digits / decimal_places
    long/timestamp-millis -> TIMESTAMP_MILLIS (tz-aware, cut to the millisecond)
    int/date -> datetime.date        int/time-millis -> datetime.time

Other Avro logical types (micro- and nanosecond times, local timestamps, duration, big-decimal, or a
known logical type on another base type) are refused; a logicalType Avro does not define is ignored,
as the Avro specification says readers must.
"""

from __future__ import annotations

import decimal
import uuid
from dataclasses import dataclass, field
from typing import Any

from avrokit.defaults import code_points, logical_default
from avrokit.names import NAMED, PRIMITIVES, full_name
from codegen.named import CodegenError, NamedType

PRIMITIVE_ANNOTATIONS = {
    "null": "None",
    "boolean": "bool",
    "int": "INT32",
    "long": "INT64",
    "float": "float",
    "double": "float",
    "bytes": "bytes",
    "string": "str",
}
# (logical type, base type) -> annotation; decimal is handled apart (it carries parameters).
LOGICAL_ANNOTATIONS = {
    ("uuid", "string"): "uuid.UUID",
    ("timestamp-millis", "long"): "TIMESTAMP_MILLIS",
    ("date", "int"): "datetime.date",
    ("time-millis", "int"): "datetime.time",
}
AVRO_LOGICAL_TYPES = frozenset(
    {
        "decimal",
        "big-decimal",
        "uuid",
        "date",
        "time-millis",
        "time-micros",
        "timestamp-millis",
        "timestamp-micros",
        "timestamp-nanos",
        "local-timestamp-millis",
        "local-timestamp-micros",
        "local-timestamp-nanos",
        "duration",
    }
)


@dataclass
class TypeRenderer:
    """Renders annotations and defaults for one module; remembers which modules they use."""

    types: dict[str, NamedType]
    written: set[str] = field(default_factory=set)  # classes already in the module
    modules: set[str] = field(default_factory=set)
    where: str = ""  # "<file>: <record>.<field>", for error messages
    forward: bool = False  # the last annotation named a class not written yet

    # -- annotations ---------------------------------------------------------------------------

    def annotation(self, node: Any, namespace: str) -> str:
        """The annotation of a value of Avro type `node` (names resolve in `namespace`)."""
        if isinstance(node, str):
            if node in PRIMITIVES:
                return PRIMITIVE_ANNOTATIONS[node]
            return self._named(full_name(node, namespace))
        if isinstance(node, list):
            branches = [self.annotation(b, namespace) for b in node if b != "null"]
            return " | ".join(branches + (["None"] if "null" in node else []))
        kind = node["type"]
        if kind in NAMED:
            return self._named(full_name(node, namespace))
        if kind == "array":
            return f"list[{self.annotation(node['items'], namespace)}]"
        if kind == "map":
            return f"dict[str, {self.annotation(node['values'], namespace)}]"
        logical = self._logical(node)
        if logical is not None:
            return logical
        return self.annotation(kind, namespace)  # {"type": "string"}, or a wrapped type

    def _named(self, name: str) -> str:
        named = self.types[name]
        if named.kind == "fixed":
            return self._logical(named.node) or (
                f"typing.Annotated[bytes, pydantic.Field(min_length={named.node['size']},"
                f" max_length={named.node['size']})]"
            )
        if named.kind == "enum":
            self.modules.add("enum")
        if name not in self.written:
            self.forward = True
        return named.class_name

    def _logical(self, node: dict[str, Any]) -> str | None:
        """The annotation for `node`'s logical type; None when it has none Avro defines."""
        logical, base = node.get("logicalType"), node["type"]
        if logical not in AVRO_LOGICAL_TYPES:
            return None
        if logical == "decimal" and base in ("bytes", "fixed"):
            if not isinstance(node.get("precision"), int):
                raise CodegenError(f"{self.where}: a decimal needs an integer precision")
            self.modules.add("decimal")
            places = node.get("scale", 0)
            return (
                "typing.Annotated[decimal.Decimal, pydantic.Field("
                f"max_digits={node['precision']}, decimal_places={places})]"
            )
        annotation = LOGICAL_ANNOTATIONS.get((logical, base))
        if annotation is None:
            supported = ", ".join(f"{b}/{lt}" for lt, b in LOGICAL_ANNOTATIONS)
            raise CodegenError(
                f"{self.where}: logicalType {logical!r} on {base!r} is not supported by codegen"
                f" (supported: {supported}, bytes or fixed/decimal; for instants use"
                " long/timestamp-millis)"
            )
        if "." in annotation:
            self.modules.add(annotation.partition(".")[0])
        return annotation

    # -- defaults ------------------------------------------------------------------------------

    def default(self, node: Any, value: Any, namespace: str) -> tuple[str, bool]:
        """The Python expression of the Avro default `value` of type `node`, and whether it is
        mutable (then it must be built per instance, by a default_factory)."""
        if isinstance(node, list):
            branch = next((b for b in node if _fits(b, value, self.types, namespace)), node[0])
            return self.default(branch, value, namespace)
        if value is None:
            return "None", False
        if isinstance(node, str):
            if node in PRIMITIVES:
                return _primitive_default(node, value), False
            return self._named_default(self.types[full_name(node, namespace)], value)
        kind = node["type"]
        if kind in NAMED:
            return self._named_default(self.types[full_name(node, namespace)], value)
        if kind == "array":
            items = [self.default(node["items"], v, namespace)[0] for v in value]
            return f"[{', '.join(items)}]", True
        if kind == "map":
            pairs = [
                f"{k!r}: {self.default(node['values'], v, namespace)[0]}" for k, v in value.items()
            ]
            return f"{{{', '.join(pairs)}}}", True
        if node.get("logicalType") in AVRO_LOGICAL_TYPES:
            try:
                return _logical_default(node, value), False
            except (ValueError, OverflowError) as exc:  # e.g. "" as a uuid: one line, not a trace
                raise CodegenError(
                    f"{self.where}: default {value!r} is not a valid {node['logicalType']} ({exc})"
                ) from None
        return self.default(kind, value, namespace)  # {"type": "string"}, or a wrapped type

    def _named_default(self, named: NamedType, value: Any) -> tuple[str, bool]:
        if named.kind == "enum":
            return f"{named.class_name}.{value}", False
        if named.kind == "record":
            types = {f["name"]: f["type"] for f in named.node["fields"]}
            args = [
                f"{k}={self.default(types[k], v, named.namespace)[0]}" for k, v in value.items()
            ]
            return f"{named.class_name}({', '.join(args)})", True
        if named.node.get("logicalType") == "decimal":
            return _logical_default(named.node, value), False
        return repr(code_points(value)), False  # fixed: a string of code points


def _primitive_default(kind: str, value: Any) -> str:
    if kind == "bytes":
        return repr(code_points(value))
    if kind in ("float", "double"):
        return repr(float(value))
    return repr(value)


def _logical_default(node: dict[str, Any], value: Any) -> str:
    typed = logical_default(node, value)
    if isinstance(typed, decimal.Decimal):
        return f"decimal.Decimal({str(typed)!r})"
    if isinstance(typed, uuid.UUID):
        return f"uuid.UUID({str(typed)!r})"
    return repr(typed)  # datetime.datetime / date / time reprs are valid source


def _fits(node: Any, value: Any, types: dict[str, NamedType], namespace: str) -> bool:
    """Whether the default `value` is one of type `node` (to pick a union's branch)."""
    if isinstance(node, str) and node not in PRIMITIVES:
        node = types[full_name(node, namespace)].node
    kind = node if isinstance(node, str) else node["type"]
    if isinstance(kind, dict | list):
        return _fits(kind, value, types, namespace)
    if value is None or kind == "null":
        return value is None and kind == "null"
    checks = {
        "boolean": lambda: isinstance(value, bool),
        "int": lambda: isinstance(value, int) and not isinstance(value, bool),
        "long": lambda: isinstance(value, int) and not isinstance(value, bool),
        "float": lambda: isinstance(value, int | float) and not isinstance(value, bool),
        "double": lambda: isinstance(value, int | float) and not isinstance(value, bool),
        "string": lambda: isinstance(value, str),
        "bytes": lambda: isinstance(value, str),
        "fixed": lambda: isinstance(value, str) and len(value) == node["size"],
        "enum": lambda: value in node["symbols"],
        "array": lambda: isinstance(value, list),
        "map": lambda: isinstance(value, dict),
        "record": lambda: isinstance(value, dict),
        "error": lambda: isinstance(value, dict),
    }
    return bool(checks.get(kind, lambda: False)())
