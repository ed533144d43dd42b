"""Avro's type vocabulary and name resolution: which type names are primitive, which types are
named, and how a short name becomes a full name inside a namespace."""

from __future__ import annotations

from typing import Any

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED = frozenset({"record", "error", "enum", "fixed"})
COMPLEX = NAMED | {"array", "map"}


def qualify(name: str, namespace: str | None) -> str:
    """`name` in `namespace`: a dotted name is already full; no namespace leaves it as it is."""
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


def full_name(node: Any, namespace: str | None) -> str:
    """Full name of a type reference (a string) or of a named type's definition (a dict)."""
    if isinstance(node, str):
        return qualify(node, namespace)
    return qualify(node["name"], node.get("namespace", namespace))


def namespace_of(full: str) -> str:
    return full.rpartition(".")[0]


def named_types(schema: Any, namespace: str = "") -> dict[str, Any]:
    """Every named type defined inside `schema`: full name -> its definition."""
    out: dict[str, Any] = {}
    _collect(schema, namespace, out)
    return out


def _collect(schema: Any, namespace: str, out: dict[str, Any]) -> None:
    if isinstance(schema, list):
        for branch in schema:
            _collect(branch, namespace, out)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in NAMED and isinstance(schema.get("name"), str):
            full = full_name(schema, namespace)
            out[full] = schema
            namespace = namespace_of(full)
        fields = schema.get("fields") if kind in ("record", "error") else None
        for f in fields if isinstance(fields, list) else []:
            if isinstance(f, dict):
                _collect(f.get("type"), namespace, out)
        for key in ("items", "values"):
            if key in schema:
                _collect(schema[key], namespace, out)
        if isinstance(kind, dict | list):
            _collect(kind, namespace, out)


def defined_names(schema: Any, namespace: str = "") -> set[str]:
    """Full names of every named type defined inside `schema`."""
    return set(named_types(schema, namespace))


def used_names(schema: Any, namespace: str = "") -> set[str]:
    """Full names of every named type referenced by name inside `schema`."""
    names: set[str] = set()
    if isinstance(schema, str):
        if schema not in PRIMITIVES:
            names.add(qualify(schema, namespace))
    elif isinstance(schema, list):
        for branch in schema:
            names |= used_names(branch, namespace)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in NAMED:
            namespace = namespace_of(full_name(schema, namespace))
        elif isinstance(kind, dict | list) or (isinstance(kind, str) and kind not in COMPLEX):
            names |= used_names(kind, namespace)
        for f in schema.get("fields", []):
            names |= used_names(f.get("type"), namespace)
        for key in ("items", "values"):
            if key in schema:
                names |= used_names(schema[key], namespace)
    return names
