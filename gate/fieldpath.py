"""Name what a finding is about: a JSON pointer into a contract -> the field's full path in its
record, e.g. `/fields/2/type/items/fields/0/type` -> `shop.events.InventoryReserved.items[].sku`.

A pointer that runs through a reference to a shared type (`"type": "shop.common.EventMetadata"`)
continues in that type's own contract: the finding belongs there, once, not in every event that
embeds the type. Arrays add `[]`, maps `{}`; union branches and attributes (default, scale,
symbols, ...) name the field they belong to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from avrokit.names import NAMED, PRIMITIVES, full_name, named_types, namespace_of, qualify


@dataclass(frozen=True)
class Place:
    contract: str  # full name of the contract that holds the spot (a shared type's, if crossed)
    pointer: str  # JSON pointer into that contract
    path: str  # full path of the field or type, e.g. shop.events.OrderPaid.payment_id


def _split(pointer: str) -> list[str]:
    segs = pointer.split("/")[1:] if pointer else []
    return [s.replace("~1", "/").replace("~0", "~") for s in segs]


def _join(segs: list[str]) -> str:
    return "".join("/" + s.replace("~", "~0").replace("/", "~1") for s in segs)


def place(name: str, schema: Any, pointer: str, shared: Mapping[str, Any]) -> Place:
    """Where `pointer` (into contract `name`'s `schema`) lands; `shared` maps each shared type's
    full name to its schema."""
    segs = _split(pointer)
    local = named_types(schema)
    node, ns, path = schema, namespace_of(name), name
    kept: list[str] = []  # the part of the pointer that exists in this contract's text
    detached = False  # walked into a local type by reference: the text stays at the reference
    i = 0
    while i < len(segs):
        seg = segs[i]
        if isinstance(node, str):
            if node in PRIMITIVES:
                break
            target = qualify(node, ns)
            if target in shared and target != name:
                return place(target, shared[target], _join(segs[i:]), shared)
            if target not in local:
                break
            node, ns, detached = local[target], namespace_of(target), True
            continue
        step: list[str] = [seg]
        if isinstance(node, list):
            if not (seg.isdigit() and int(seg) < len(node)):
                break
            node = node[int(seg)]
        elif isinstance(node, dict):
            fields = node.get("fields")
            if (
                seg == "fields"
                and node.get("type") in NAMED
                and isinstance(fields, list)
                and i + 1 < len(segs)
                and segs[i + 1].isdigit()
                and int(segs[i + 1]) < len(fields)
                and isinstance(fields[int(segs[i + 1])], dict)
            ):
                ns = namespace_of(full_name(node, ns))
                node = fields[int(segs[i + 1])]
                path = f"{path}.{node.get('name')}"
                step.append(segs[i + 1])
            elif seg == "type" and "type" in node and "fields" not in node:
                node = node["type"]
            elif seg == "items" and node.get("type") == "array":
                node, path = node["items"], f"{path}[]"
            elif seg == "values" and node.get("type") == "map":
                node, path = node["values"], f"{path}{{}}"
            else:
                break  # an attribute (default, symbols, scale, ...) of what `path` names
        else:
            break
        if not detached:
            kept += step
        i += len(step)
    if not detached:
        kept += segs[i:]  # an attribute: the locator finds it, or its nearest ancestor
    return Place(name, _join(kept), path)
