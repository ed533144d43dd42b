"""Avro wire compatibility between a new schema and earlier versions, with explanations.

A resolution walk following the Avro spec (the same rules as Java's SchemaCompatibility): the reader
must be able to decode everything the writer can produce. Every finding carries a JSON pointer into
the NEW schema, a stable `kind`, what changed, the level that forbids it, the version it was checked
against, and how to fix it.

BACKWARD: the new schema (reader) reads data written with old versions.
FORWARD:  old versions (readers) read data written with the new schema.
FULL:     both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from avrokit.levels import CompatibilityLevel
from avrokit.names import NAMED
from avrokit.schema import ParsedSchema

# An AvroSchema subclass: which attributes exist depends on its type.
AvroSchema = Any

# Writer type -> reader types it may be promoted to (Avro spec, "Schema Resolution").
PROMOTIONS: dict[str, frozenset[str]] = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}

TYPE_MISMATCH = "TYPE_MISMATCH"
NAME_MISMATCH = "NAME_MISMATCH"
FIXED_SIZE_MISMATCH = "FIXED_SIZE_MISMATCH"
MISSING_ENUM_SYMBOLS = "MISSING_ENUM_SYMBOLS"
READER_FIELD_MISSING_DEFAULT_VALUE = "READER_FIELD_MISSING_DEFAULT_VALUE"
MISSING_UNION_BRANCH = "MISSING_UNION_BRANCH"


@dataclass(frozen=True)
class Incompatibility:
    path: str  # JSON pointer into the NEW schema, e.g. "/fields/3/type"
    kind: str  # stable code, e.g. "READER_FIELD_MISSING_DEFAULT_VALUE"
    message: str  # what changed, naming the field
    fix: str  # how to fix it
    level: CompatibilityLevel
    against_version: int | None
    field: str = ""  # a field no longer in the new schema: `path` points at its record

    def describe(self) -> str:
        version = (
            "the previous schema"
            if self.against_version is None
            else f"version {self.against_version}"
        )
        return (
            f"{self.kind} at '{self.path or '/'}': {self.message}; {self.level} compatibility "
            f"forbids this against {version}; fix: {self.fix}."
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "kind": self.kind,
            "message": self.message,
            "fix": self.fix,
            "level": str(self.level),
            "against_version": self.against_version,
        }


@dataclass(frozen=True)
class _Finding:
    path: str
    kind: str
    message: str
    fix: str
    field: str = ""


_LABELLED_BRANCHES = 5  # a union's label names this many branches, then counts the rest


def _label(schema: AvroSchema) -> str:
    if schema.type == "union":
        branches = [_label(s) for s in schema.schemas[:_LABELLED_BRANCHES]]
        if len(schema.schemas) > _LABELLED_BRANCHES:
            branches.append(f"... {len(schema.schemas) - _LABELLED_BRANCHES} more")
        return "union [" + ", ".join(branches) + "]"
    if schema.type == "array":
        return f"array<{_label(schema.items)}>"
    if schema.type == "map":
        return f"map<{_label(schema.values)}>"
    name = getattr(schema, "fullname", None) if schema.type in NAMED else None
    return f"{schema.type} '{name}'" if name else str(schema.type)


def _names_match(reader: AvroSchema, writer: AvroSchema) -> bool:
    if reader.name == writer.name:
        return True
    aliases = reader.get_prop("aliases") or []
    return writer.fullname in aliases or writer.name in aliases


def _branch_matches(reader: AvroSchema, writer: AvroSchema) -> bool:
    """Would Avro resolution pick `reader` (a union branch) for `writer` data?"""
    if reader.type == writer.type:
        return reader.type not in NAMED or _names_match(reader, writer)
    return reader.type in PROMOTIONS.get(writer.type, frozenset())


_SCANNED_BRANCHES = 16  # unions up to this wide are scanned: cheaper than building an index


class _UnionIndex:
    """A reader union's branches by what `_branch_matches` compares, so finding the branch for a
    writer type is one lookup instead of a scan (checks stay linear in union width)."""

    def __init__(self, union: AvroSchema) -> None:
        self.first: dict[tuple[str, ...], int] = {}
        for k, branch in enumerate(union.schemas):
            keys: list[tuple[str, ...]] = [(branch.type,)]
            if branch.type in NAMED:
                keys = [(branch.type, "name", branch.name)]
                keys += [(branch.type, "alias", a) for a in branch.get_prop("aliases") or []]
            for key in keys:
                self.first.setdefault(key, k)

    def find(self, writer: AvroSchema) -> int | None:
        """The first branch Avro resolution would pick for `writer` data, if any."""
        keys: list[tuple[str, ...]] = [(writer.type,)]
        if writer.type in NAMED:
            keys = [
                (writer.type, "name", writer.name),
                (writer.type, "alias", writer.fullname),
                (writer.type, "alias", writer.name),
            ]
        keys += [(t,) for t in PROMOTIONS.get(writer.type, ())]
        found = [self.first[key] for key in keys if key in self.first]
        return min(found) if found else None


class _Walk:
    """One reader/writer resolution; `new_is_reader` says on which side paths are taken."""

    def __init__(self, new_is_reader: bool) -> None:
        self.new_is_reader = new_is_reader
        self.findings: list[_Finding] = []
        self._active: set[tuple[int, int]] = set()
        self._unions: dict[int, _UnionIndex] = {}

    def _branch_for(
        self, union: AvroSchema, writer: AvroSchema
    ) -> tuple[int, AvroSchema] | tuple[None, None]:
        """The reader union's branch (index, schema) for `writer` data: a scan for the usual few
        branches, an index (built once per union and walk) for wide ones."""
        branches = union.schemas
        if len(branches) <= _SCANNED_BRANCHES:
            for k, branch in enumerate(branches):
                if _branch_matches(branch, writer):
                    return k, branch
            return None, None
        index = self._unions.get(id(union))
        if index is None:
            index = self._unions[id(union)] = _UnionIndex(union)
        found = index.find(writer)
        return (None, None) if found is None else (found, branches[found])

    def _add(self, path: str, kind: str, message: str, fix: str, field: str = "") -> None:
        self.findings.append(_Finding(path, kind, message, fix, field))

    def _old_new(self, reader: AvroSchema, writer: AvroSchema) -> tuple[AvroSchema, AvroSchema]:
        return (writer, reader) if self.new_is_reader else (reader, writer)

    def check(self, reader: AvroSchema, writer: AvroSchema, rpath: str, wpath: str) -> None:
        key = (id(reader), id(writer))
        if key in self._active:  # recursive types: assume compatible while in progress
            return
        self._active.add(key)
        try:
            self._check(reader, writer, rpath, wpath)
        finally:
            self._active.discard(key)

    def _path(self, rpath: str, wpath: str) -> str:
        return rpath if self.new_is_reader else wpath

    def _check(self, reader: AvroSchema, writer: AvroSchema, rpath: str, wpath: str) -> None:
        path = self._path(rpath, wpath)
        old, new = self._old_new(reader, writer)
        if writer.type == "union":
            for j, branch in enumerate(writer.schemas):
                self._writer_branch(reader, branch, rpath, f"{wpath}/{j}")
            return
        if reader.type == "union":
            k, match = self._branch_for(reader, writer)
            if k is not None:
                self.check(match, writer, f"{rpath}/{k}", wpath)
                return
            if self.new_is_reader:
                msg = f"the new union at '{path or '/'}' has no branch for the old {_label(writer)}"
                fix = f"add {_label(writer)} as a branch of the union"
            else:
                msg = f"type changed to {_label(writer)}; the old {_label(reader)} cannot read it"
                fix = f"use one of the old union's branches ({_label(reader)})"
            self._add(path, MISSING_UNION_BRANCH, msg, fix)
            return
        if reader.type != writer.type:
            if reader.type in PROMOTIONS.get(writer.type, frozenset()):
                return
            self._add(
                path,
                TYPE_MISMATCH,
                f"type changed from {_label(old)} to {_label(new)}",
                f"keep {_label(old)} (only int->long->float->double and string<->bytes promotions "
                f"are readable in this direction)",
            )
            return
        if reader.type in NAMED and not _names_match(reader, writer):
            fix = (
                f"keep the name '{old.name}' or add alias '{old.fullname}' to the new type"
                if self.new_is_reader
                else f"keep the name '{old.name}'"
            )
            self._add(
                path, NAME_MISMATCH, f"name changed from '{old.fullname}' to '{new.fullname}'", fix
            )
            return
        if reader.type in ("record", "error"):
            self._record(reader, writer, rpath, wpath)
        elif reader.type == "enum":
            self._enum(reader, writer, path)
        elif reader.type == "fixed" and reader.size != writer.size:
            self._add(
                path,
                FIXED_SIZE_MISMATCH,
                f"fixed '{new.fullname}' size changed from {old.size} to {new.size}",
                f"keep size {old.size}",
            )
        elif reader.type == "array":
            self.check(reader.items, writer.items, f"{rpath}/items", f"{wpath}/items")
        elif reader.type == "map":
            self.check(reader.values, writer.values, f"{rpath}/values", f"{wpath}/values")

    def _writer_branch(
        self, reader: AvroSchema, branch: AvroSchema, rpath: str, wpath: str
    ) -> None:
        if reader.type == "union":
            k, match = self._branch_for(reader, branch)
            if k is not None:
                self.check(match, branch, f"{rpath}/{k}", wpath)
                return
            if self.new_is_reader:
                msg = (
                    f"union branch {_label(branch)} was removed; old data of that type cannot "
                    "be read"
                )
                fix = f"add {_label(branch)} back to the union"
            else:
                msg = f"union branch {_label(branch)} was added; old readers cannot read it"
                fix = f"remove {_label(branch)} from the union"
            self._add(self._path(rpath, wpath), MISSING_UNION_BRANCH, msg, fix)
            return
        if _branch_matches(reader, branch):
            self.check(reader, branch, rpath, wpath)
            return
        if self.new_is_reader:
            msg = f"type changed from {_label(branch)} (an old union branch) to {_label(reader)}"
            fix = f"keep a union that includes {_label(branch)}"
        else:
            msg = f"type changed from {_label(reader)} to a union with branch {_label(branch)}"
            fix = f"do not add {_label(branch)}: old readers expect {_label(reader)}"
        self._add(self._path(rpath, wpath), TYPE_MISMATCH, msg, fix)

    def _record(self, reader: AvroSchema, writer: AvroSchema, rpath: str, wpath: str) -> None:
        writer_fields = {f.name: (j, f) for j, f in enumerate(writer.fields)}
        for i, rfield in enumerate(reader.fields):
            match = writer_fields.get(rfield.name)
            if match is None:
                for alias in rfield.get_prop("aliases") or []:
                    match = writer_fields.get(alias)
                    if match:
                        break
            if match is not None:
                j, wfield = match
                self.check(
                    rfield.type, wfield.type, f"{rpath}/fields/{i}/type", f"{wpath}/fields/{j}/type"
                )
            elif not rfield.has_default:
                if self.new_is_reader:
                    self._add(
                        f"{rpath}/fields/{i}",
                        READER_FIELD_MISSING_DEFAULT_VALUE,
                        f"field '{rfield.name}' was added to record '{reader.fullname}' "
                        f"without a default",
                        f"add a default to field '{rfield.name}'",
                    )
                else:
                    self._add(
                        f"{wpath}/fields",
                        READER_FIELD_MISSING_DEFAULT_VALUE,
                        f"field '{rfield.name}' was removed from record '{writer.fullname}', "
                        f"and old readers have no default for it",
                        f"keep field '{rfield.name}' (or first give it a default in a version "
                        f"every reader uses)",
                        rfield.name,
                    )

    def _enum(self, reader: AvroSchema, writer: AvroSchema, path: str) -> None:
        known = set(reader.symbols)
        missing = [s for s in writer.symbols if s not in known]
        if not missing or reader.get_prop("default") is not None:
            return
        listed = ", ".join(missing)
        if self.new_is_reader:
            msg = f"enum '{reader.fullname}' lost symbols {listed}"
            fix = (
                f"add symbols {listed} back to enum '{reader.fullname}' or give it a default symbol"
            )
        else:
            msg = f"enum '{writer.fullname}' gained symbols {listed} that old readers do not know"
            fix = (
                f"remove symbols {listed}, or first release a version of enum '{writer.fullname}' "
                f"with a default symbol"
            )
        self._add(path, MISSING_ENUM_SYMBOLS, msg, fix)


def _pair(reader: AvroSchema, writer: AvroSchema, new_is_reader: bool) -> list[_Finding]:
    walk = _Walk(new_is_reader)
    walk.check(reader, writer, "", "")
    return walk.findings


def check_compatibility(
    new: ParsedSchema,
    previous: Sequence[tuple[int | None, ParsedSchema]],
    level: CompatibilityLevel,
) -> list[Incompatibility]:
    """Incompatibilities of `new` against `previous` (oldest first) under `level`.

    Non-transitive levels check only the last previous schema, transitive ones all of them."""
    level = CompatibilityLevel(level)
    if level is CompatibilityLevel.NONE or not previous:
        return []
    targets = list(previous) if level.transitive else [previous[-1]]
    out: list[Incompatibility] = []
    for version, old in reversed(targets):
        findings: list[_Finding] = []
        if level.backward:
            findings += _pair(new.avro, old.avro, new_is_reader=True)
        if level.forward:
            findings += _pair(old.avro, new.avro, new_is_reader=False)
        seen: set[tuple[str, str, str]] = set()
        for f in findings:
            if (f.path, f.kind, f.message) in seen:
                continue
            seen.add((f.path, f.kind, f.message))
            out.append(Incompatibility(f.path, f.kind, f.message, f.fix, level, version, f.field))
    return out
