"""One step of a contract's history: a version against the versions before it.

WIRE follows the level (transitive levels: every earlier version, else the one before); CODEGEN and
SEMANTIC compare with the version right before. Parsed schemas are cached by their canonical text,
so a history of a few hundred commits is parsed once per distinct version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from avrokit import CompatibilityLevel, InvalidSchema, ParsedSchema, parse_schema
from gate.context import canonical
from gate.history import Version
from gate.rules import codegen, semantic, wire
from gate.rules.diff import walk
from gate.rules.model import Change

_PARSED: dict[tuple[str, ...], ParsedSchema | InvalidSchema] = {}


def key(text: str, refs: tuple[str, ...]) -> tuple[str, ...]:
    return (canonical(text), *map(canonical, refs))


def parse(text: str, refs: tuple[str, ...]) -> ParsedSchema:
    """`parse_schema`, cached; raises InvalidSchema as it does."""
    k = key(text, refs)
    if k not in _PARSED:
        try:
            _PARSED[k] = parse_schema(text, refs)
        except InvalidSchema as exc:
            _PARSED[k] = exc
    hit = _PARSED[k]
    if isinstance(hit, InvalidSchema):
        raise hit
    return hit


@dataclass(frozen=True)
class Found:
    change: Change  # path points into the step's new version
    against: Version  # the version it was found against
    wire: bool


def check(
    new: ParsedSchema,
    new_text: str,
    previous: Sequence[tuple[Version, ParsedSchema]],
    level: CompatibilityLevel,
) -> list[Found]:
    """Findings of the step `previous` (oldest first, non-empty) -> `new`."""
    indexed: list[tuple[int | None, ParsedSchema]] = [(i, p) for i, (_, p) in enumerate(previous)]
    out = [
        Found(change, previous[idx if idx is not None else -1][0], True)
        for change, idx in wire.check(new, indexed, level)
    ]
    last, last_parsed = previous[-1]
    pairs = list(walk(last_parsed.json, json.loads(new_text)))
    out += [Found(c, last, False) for c in codegen.check(pairs) + semantic.check(pairs, level)]
    return out
