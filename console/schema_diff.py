"""Avro schemas side by side: one line per field, a line diff, the fields that changed, and the
registry's compatibility reasons attached to the fields they name.  Pure functions, no I/O."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 32  # deeper schemas are shown compact from there on


def compact(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False, separators=(", ", ": "))


def _has_record(node: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(node, dict):
        return node.get("type") == "record" or any(_has_record(v, depth + 1) for v in node.values())
    if isinstance(node, list):
        return any(_has_record(v, depth + 1) for v in node)
    return False


def avro_lines(node: Any, indent: int = 0, depth: int = 0) -> list[str]:
    """A schema laid out for reading and diffing: each field on a line of its own, and records
    nested in a field's type laid out the same way below it."""
    pad = "  " * indent
    if depth > MAX_DEPTH or not isinstance(node, dict | list) or not _has_record(node):
        return [pad + compact(node)]
    if isinstance(node, list):
        lines = [pad + "["]
        for i, item in enumerate(node):
            lines += _with_comma(avro_lines(item, indent + 1, depth + 1), i < len(node) - 1)
        return [*lines, pad + "]"]
    lines = [pad + "{"]
    items = list(node.items())
    for i, (key, value) in enumerate(items):
        more = i < len(items) - 1
        if key == "fields" and isinstance(value, list):
            lines.append(f'{pad}  "fields": [')
            for j, item in enumerate(value):
                body = avro_lines(item, indent + 2, depth + 1)
                lines += _with_comma(body, j < len(value) - 1)
            lines.append(pad + "  ]" + ("," if more else ""))
        elif _has_record(value):
            body = avro_lines(value, indent + 1, depth + 1)
            body[0] = f"{pad}  {json.dumps(key)}: {body[0].lstrip()}"
            lines += _with_comma(body, more)
        else:
            lines.append(f"{pad}  {json.dumps(key)}: {compact(value)}" + ("," if more else ""))
    return [*lines, pad + "}"]


def _with_comma(lines: list[str], comma: bool) -> list[str]:
    return [*lines[:-1], lines[-1] + ("," if comma else "")]


def layout(text: str) -> list[str]:
    try:
        return avro_lines(json.loads(text))
    except (ValueError, RecursionError):
        return text.splitlines()


@dataclass(frozen=True)
class DiffRow:
    kind: str  # same | add | del | change
    left_no: int | None
    left: str
    right_no: int | None
    right: str


def side_by_side(left: list[str], right: list[str]) -> list[DiffRow]:
    rows: list[DiffRow] = []
    # a line that only gained or lost its trailing comma (a field appended after it) is the same
    bare_left, bare_right = [x.rstrip(",") for x in left], [x.rstrip(",") for x in right]
    matcher = difflib.SequenceMatcher(a=bare_left, b=bare_right, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            rows += [DiffRow("same", a0 + i + 1, left[a0 + i], b0 + i + 1, right[b0 + i])
                     for i in range(a1 - a0)]  # fmt: skip
            continue
        for i in range(max(a1 - a0, b1 - b0)):
            has_left, has_right = a0 + i < a1, b0 + i < b1
            kind = "change" if has_left and has_right else ("del" if has_left else "add")
            rows.append(
                DiffRow(
                    kind,
                    a0 + i + 1 if has_left else None,
                    left[a0 + i] if has_left else "",
                    b0 + i + 1 if has_right else None,
                    right[b0 + i] if has_right else "",
                )
            )
    return rows


@dataclass(frozen=True)
class FieldInfo:
    path: str  # dotted name, e.g. "items[].sku"
    pointer: str  # JSON pointer of the field in its schema, e.g. "/fields/3"
    type: str
    default: str | None  # the default as JSON, None when there is none
    shape: str = ""  # the type without nested records' fields (their changes are their own)
    notes: list[str] = field(default_factory=list)


def fields_of(schema: Any) -> list[FieldInfo]:
    """Every field of every record in the schema, depth first."""
    found: list[FieldInfo] = []
    _walk(schema, "", "", found, 0)
    return found


def _walk(node: Any, prefix: str, pointer: str, out: list[FieldInfo], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for i, branch in enumerate(node):
            _walk(branch, prefix, f"{pointer}/{i}", out, depth + 1)
    elif isinstance(node, dict):
        if node.get("type") == "record" and isinstance(node.get("fields"), list):
            for i, f in enumerate(node["fields"]):
                if not isinstance(f, dict):
                    continue
                name = f"{prefix}{f.get('name')}"
                here = f"{pointer}/fields/{i}"
                default = compact(f["default"]) if "default" in f else None
                shape = compact(_without_fields(f.get("type"), 0))
                out.append(FieldInfo(name, here, compact(f.get("type")), default, shape))
                _walk(f.get("type"), name + ".", here + "/type", out, depth + 1)
        elif node.get("type") == "array":
            _walk(node.get("items"), prefix.rstrip(".") + "[].", pointer + "/items", out, depth)
        elif node.get("type") == "map":
            _walk(node.get("values"), prefix.rstrip(".") + "{}.", pointer + "/values", out, depth)


def _without_fields(node: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return None
    if isinstance(node, list):
        return [_without_fields(n, depth + 1) for n in node]
    if isinstance(node, dict):
        return {
            k: _without_fields(v, depth + 1)
            for k, v in node.items()
            if not (k == "fields" and node.get("type") == "record")
        }
    return node


@dataclass(frozen=True)
class FieldChange:
    kind: str  # added | removed | changed
    path: str
    old: str
    new: str


def field_changes(old_text: str, new_text: str) -> list[FieldChange]:
    """Fields added, removed, or whose type or default changed, from `old` to `new`."""
    try:
        old = {f.path: f for f in fields_of(json.loads(old_text))}
        new = {f.path: f for f in fields_of(json.loads(new_text))}
    except (ValueError, RecursionError):
        return []
    changes = [FieldChange("removed", p, _describe(f), "") for p, f in old.items() if p not in new]
    for path, f in new.items():
        if path not in old:
            changes.append(FieldChange("added", path, "", _describe(f)))
        elif (old[path].shape, old[path].default) != (f.shape, f.default):
            changes.append(FieldChange("changed", path, _describe(old[path]), _describe(f)))
    return sorted(changes, key=lambda c: c.path)


def _describe(f: FieldInfo) -> str:
    return f.type if f.default is None else f"{f.type} = {f.default}"


_POINTER = re.compile(r"'(/[^']*)'")
_QUOTED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")


def annotate(candidate: str, messages: list[str]) -> tuple[list[FieldInfo], list[str]]:
    """The candidate's fields, each with the messages that name it (by JSON pointer, or by its
    quoted name), and the messages that name no field."""
    try:
        fields = fields_of(json.loads(candidate))
    except (ValueError, RecursionError):
        return [], list(messages)
    unplaced = []
    for message in messages:
        target = _by_pointer(fields, _POINTER.findall(message)) or _by_name(
            fields, _QUOTED.findall(message)
        )
        if target is None:
            unplaced.append(message)
        else:
            target.notes.append(message)
    return fields, unplaced


def _by_pointer(fields: list[FieldInfo], pointers: list[str]) -> FieldInfo | None:
    best = None
    for pointer in pointers:
        for f in fields:  # the deepest field the pointer is inside of
            inside = pointer == f.pointer or pointer.startswith(f.pointer + "/")
            if inside and (best is None or len(f.pointer) > len(best.pointer)):
                best = f
    return best


def _by_name(fields: list[FieldInfo], names: list[str]) -> FieldInfo | None:
    for name in names:
        for f in fields:
            if f.path.rsplit(".", 1)[-1] == name:
                return f
    return None
