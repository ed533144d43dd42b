"""The named types of the contracts (records, enums, fixed), collected once: where each is defined,
which Python class it becomes, which other named types it uses, and an order to write them in.

Everything that cannot become a valid, unambiguous Python class is refused here with a
`CodegenError` naming the contract file: Python keywords, names the generated module or pydantic
already use, two types with one short name, enum symbols `enum` would not keep as members.
"""

from __future__ import annotations

import enum
import keyword
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from avrokit.names import NAMED, PRIMITIVES, full_name, namespace_of


class CodegenError(ValueError):
    """A contract cannot be rendered into Python classes; the message names the file."""


# Names the generated module defines or imports itself: a contract type may not take them.
RESERVED_NAMES = frozenset(
    {
        "Event",
        "INT32",
        "INT64",
        "TIMESTAMP_MILLIS",
        "cut_to_millis",
        "SHARED_SCHEMAS",
        "EVENT_TYPES",
        "TOPIC_TYPES",
        "datetime",
        "decimal",
        "enum",
        "typing",
        "uuid",
        "pydantic",
    }
)
# Attributes every event class has from its base: a field may not shadow them.
EVENT_ATTRIBUTES = frozenset(
    {
        "AVRO_NAME",
        "AVRO_SCHEMA",
        "AVRO_REFERENCES",
        "TOPICS",
        "SUBJECTS",
        "PARTITION_KEY",
        "partition_key",
    }
)


@dataclass
class NamedType:
    """One record, enum or fixed type, as defined in one contract file."""

    full_name: str
    node: dict[str, Any]
    file: Path  # the contract that defines it
    uses: list[str] = field(default_factory=list)  # full names of named types its fields use

    @property
    def kind(self) -> str:
        return "record" if self.node["type"] == "error" else str(self.node["type"])

    @property
    def class_name(self) -> str:
        return self.full_name.rpartition(".")[2]

    @property
    def namespace(self) -> str:
        """The namespace names inside this type resolve in."""
        return namespace_of(self.full_name)


def collect(schemas: list[tuple[Path, dict[str, Any]]]) -> dict[str, NamedType]:
    """Every named type of `schemas` (file, parsed JSON) by full name, in definition order."""
    found: dict[str, NamedType] = {}
    for file, schema in schemas:
        _collect(schema, "", file, found)
    by_class: dict[str, NamedType] = {}
    for named in found.values():
        if named.kind == "fixed":
            continue  # rendered inline as an annotated type, not as a class
        other = by_class.setdefault(named.class_name, named)
        if other is not named:
            raise CodegenError(
                f"{named.file}: {named.full_name} and {other.full_name} ({other.file}) would both"
                f" become class {named.class_name}; give one of them another name"
            )
        _check_class(named)
    return found


def _collect(node: Any, namespace: str, file: Path, found: dict[str, NamedType]) -> None:
    if isinstance(node, list):
        for branch in node:
            _collect(branch, namespace, file, found)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in NAMED:
        name = full_name(node, namespace)
        if name in found:
            raise CodegenError(f"{file}: {name} is defined twice (also in {found[name].file})")
        named = found[name] = NamedType(name, node, file)
        if kind in ("record", "error"):
            for f in node["fields"]:
                _collect(f["type"], named.namespace, file, found)
                named.uses += [u for u in uses(f["type"], named.namespace) if u not in named.uses]
    elif kind == "array":
        _collect(node["items"], namespace, file, found)
    elif kind == "map":
        _collect(node["values"], namespace, file, found)
    elif isinstance(kind, dict | list):
        _collect(kind, namespace, file, found)


def uses(node: Any, namespace: str) -> Iterator[str]:
    """Full names of the named types a field type refers to (by name or by inline definition)."""
    if isinstance(node, str):
        if node not in PRIMITIVES:
            yield full_name(node, namespace)
    elif isinstance(node, list):
        for branch in node:
            yield from uses(branch, namespace)
    elif isinstance(node, dict):
        kind = node.get("type")
        if kind in NAMED:
            yield full_name(node, namespace)
        elif kind == "array":
            yield from uses(node["items"], namespace)
        elif kind == "map":
            yield from uses(node["values"], namespace)
        elif isinstance(kind, dict | list | str):
            yield from uses(kind, namespace)


def _check_class(named: NamedType) -> None:
    where = f"{named.file}: {named.full_name}"
    name = named.class_name
    if keyword.iskeyword(name) or name in RESERVED_NAMES:
        raise CodegenError(f"{where}: {name!r} cannot be a generated class name; rename the type")
    if named.kind == "enum":
        bad = [s for s in named.node["symbols"] if not _enum_member_ok(s)]
        if bad:
            raise CodegenError(f"{where}: enum symbols {bad} cannot be Python enum members")
        return
    for f in named.node["fields"]:
        fname = f["name"]
        if (
            keyword.iskeyword(fname)
            or fname.startswith("_")
            or hasattr(pydantic.BaseModel, fname)
            or fname in EVENT_ATTRIBUTES
        ):
            raise CodegenError(
                f"{where}: field {fname!r} cannot be an attribute of a generated class (a Python"
                " keyword, private, or a name pydantic or the event base already uses); rename it"
            )


def _enum_member_ok(symbol: str) -> bool:
    """`symbol = "symbol"` in a class body makes an enum member of that name."""
    if keyword.iskeyword(symbol) or symbol.startswith("__"):
        return False  # a syntax error / a mangled private name
    try:
        # mypy reads Enum's functional form only with literal names, hence the ignore.
        probe: type[enum.Enum] = enum.Enum("Probe", [(symbol, symbol)])  # type: ignore[misc]
        return symbol in probe.__members__
    except ValueError:  # _sunder_ names and 'mro' are reserved
        return False


def write_order(types: dict[str, NamedType]) -> list[str]:
    """Full names in an order where each type follows the types it uses (except around a
    cycle: the renderer quotes a reference to a type not written yet)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for used in types[name].uses:
            if used in types:
                visit(used)
        order.append(name)

    for name in types:
        visit(name)
    return order
