"""Pair the nodes of an old and a new version of one schema (JSON), as Avro resolution would, and
hand each pair to the CODEGEN and SEMANTIC checks. Paths are JSON pointers into the NEW schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from avrokit.names import NAMED, PRIMITIVES, full_name


@dataclass(frozen=True)
class Pair:
    """`kind` is one of: type (two type nodes), field (two matched fields), field_removed (old
    field with no counterpart; `new` is the new record), field_renamed (old field, new field)."""

    kind: str
    old: Any
    new: Any
    path: str
    owner: str = ""  # full name of the enclosing record
    extra: dict[str, Any] = field(default_factory=dict)


def kind_of(node: Any) -> str:
    if isinstance(node, list):
        return "union"
    if isinstance(node, str):
        return node if node in PRIMITIVES else "ref"
    if isinstance(node, dict):
        t = node.get("type")
        if isinstance(t, str):
            return t if t in PRIMITIVES or t in NAMED or t in ("array", "map") else "ref"
        return kind_of(t)
    return "?"


def unwrap(node: Any) -> Any:
    """`{"type": {...}}` / `{"type": [..]}` wrappers -> the inner node."""
    while (
        isinstance(node, dict) and isinstance(node.get("type"), dict | list) and "name" not in node
    ):
        node = node["type"]
    return node


def _branch_key(node: Any, namespace: str) -> str:
    k = kind_of(node)
    if k == "ref":
        return full_name(unwrap(node) if isinstance(node, dict) else node, namespace)
    if k in NAMED:
        return full_name(unwrap(node), namespace)
    return k


def _canon(node: Any) -> str:
    return json.dumps(node, sort_keys=True)


def walk(old: Any, new: Any) -> Iterator[Pair]:
    yield from _walk(old, new, "", "", "", "", set())


def _walk(
    old: Any, new: Any, path: str, ons: str, nns: str, owner: str, seen: set[str]
) -> Iterator[Pair]:
    old, new = unwrap(old), unwrap(new)
    ok, nk = kind_of(old), kind_of(new)
    if nk == "union" and ok == "union":
        okeys = {_branch_key(b, ons): b for b in old}
        for i, b in enumerate(new):
            match = okeys.get(_branch_key(b, nns))
            if match is not None:
                yield from _walk(match, b, f"{path}/{i}", ons, nns, owner, seen)
        return
    if nk == "union":  # T -> [null, T]: follow the branch that matches
        for i, b in enumerate(new):
            if kind_of(b) == ok:
                yield from _walk(old, b, f"{path}/{i}", ons, nns, owner, seen)
        return
    if ok == "union":
        for b in old:
            if kind_of(b) == nk:
                yield from _walk(b, new, path, ons, nns, owner, seen)
        return
    yield Pair("type", old, new, path, owner, {"old_ns": ons, "new_ns": nns})
    if ok != nk:
        return
    if nk in ("record", "error"):
        oname, nname = full_name(old, ons), full_name(new, nns)
        if nname in seen:
            return
        seen = seen | {nname}
        ons, nns = oname.rpartition(".")[0], nname.rpartition(".")[0]
        yield from _fields(old, new, path, ons, nns, nname, seen)
    elif nk == "array":
        yield from _walk(old["items"], new["items"], f"{path}/items", ons, nns, owner, seen)
    elif nk == "map":
        yield from _walk(old["values"], new["values"], f"{path}/values", ons, nns, owner, seen)


def _fields(
    old: dict[str, Any],
    new: dict[str, Any],
    path: str,
    ons: str,
    nns: str,
    owner: str,
    seen: set[str],
) -> Iterator[Pair]:
    new_fields = list(enumerate(new.get("fields", [])))
    by_name = {f["name"]: (i, f) for i, f in new_fields}
    matched: set[int] = set()
    removed: list[tuple[int, dict[str, Any]]] = []
    for j, of in enumerate(old.get("fields", [])):
        hit = by_name.get(of["name"])
        if hit is None:
            removed.append((j, of))
            continue
        i, nf = hit
        matched.add(i)
        fpath = f"{path}/fields/{i}"
        yield Pair("field", of, nf, fpath, owner)
        yield from _walk(of["type"], nf["type"], f"{fpath}/type", ons, nns, owner, seen)
    for j, of in removed:
        renamed = next(
            (
                (i, nf)
                for i, nf in new_fields
                if i not in matched and of["name"] in (nf.get("aliases") or [])
            ),
            None,
        )
        if renamed is None and j < len(new_fields):  # same position, same type, new name
            i, nf = new_fields[j]
            if (
                i not in matched
                and nf["name"] not in {f["name"] for f in old["fields"]}
                and _canon(nf["type"]) == _canon(of["type"])
            ):
                renamed = (i, nf)
        if renamed is None:
            yield Pair("field_removed", of, new, f"{path}/fields", owner)
            continue
        i, nf = renamed
        matched.add(i)
        fpath = f"{path}/fields/{i}"
        yield Pair("field_renamed", of, nf, fpath, owner)
        yield Pair("field", of, nf, fpath, owner)
        yield from _walk(of["type"], nf["type"], f"{fpath}/type", ons, nns, owner, seen)
