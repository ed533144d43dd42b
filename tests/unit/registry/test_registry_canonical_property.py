"""Property: whitespace and key order never change a schema's identity; content always does."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from avrokit import normalize_schema_text, parse_schema

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
PRIMS = st.sampled_from(["int", "long", "string", "boolean", "double", "bytes"])
DEFAULTS = {"int": 1, "long": 2, "string": "s", "boolean": True, "double": 1.5, "bytes": "b"}


@st.composite
def records(draw: st.DrawFn) -> dict:
    names = draw(st.lists(NAMES, min_size=1, max_size=6, unique=True))
    fields = []
    for name in names:
        kind = draw(PRIMS)
        field: dict = {"name": name, "type": kind}
        if draw(st.booleans()):
            field["default"] = DEFAULTS[kind]
        if draw(st.booleans()):
            field["doc"] = f"doc of {name}"
        fields.append(field)
    return {"type": "record", "name": "R", "namespace": "p", "fields": fields}


def shuffled(obj: object, rng: random.Random) -> object:
    if isinstance(obj, dict):
        items = list(obj.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng) for k, v in items}
    if isinstance(obj, list):
        return [shuffled(v, rng) for v in obj]
    return obj


@settings(max_examples=60, deadline=None)
@given(schema=records(), seed=st.integers(0, 2**16), indent=st.sampled_from([None, 1, 4]))
def test_reformatting_keeps_identity_and_content_changes_break_it(
    schema: dict, seed: int, indent: int | None
) -> None:
    original = parse_schema(json.dumps(schema))
    reformatted = parse_schema(json.dumps(shuffled(schema, random.Random(seed)), indent=indent))
    assert reformatted.canonical == original.canonical
    assert normalize_schema_text(reformatted.text) == normalize_schema_text(original.text)
    changed = json.loads(json.dumps(schema))
    changed["fields"][0]["doc"] = "changed"
    assert parse_schema(json.dumps(changed)).canonical != original.canonical
