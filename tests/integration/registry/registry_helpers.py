"""Helpers shared by the registry's integration tests (a unique module name, unlike conftest)."""

from __future__ import annotations

import json

CT = "application/vnd.schemaregistry.v1+json"


def record(name: str, *fields: dict, **extra: object) -> str:
    """A compact record schema text (as the registry returns it)."""
    obj = {"type": "record", "name": name, "fields": list(fields), **extra}
    return json.dumps(obj, separators=(",", ":"))


def body(schema: str, **extra: object) -> dict:
    return {"schema": schema, **extra}
