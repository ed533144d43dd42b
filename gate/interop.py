"""Mixed versions really interoperate: the base revision's generated classes and the new ones
exchange sample events, in the directions the subject's level promises.

Both sides are generated with `python -m codegen --contracts <dir> --output <file>` (the base from a
`git archive` of the base revision's contracts/, or from the schemas downloaded from a registry),
imported, and used as the services use them:
build an event of the writer's class, write it with fastavro under the writer's schema, read it
resolving to the reader's schema, validate it into the reader's class.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import fastavro

from avrokit import CompatibilityLevel
from avrokit.catalog import Contract
from avrokit.defaults import parse_with_shared
from avrokit.names import PRIMITIVES, full_name, named_types
from gate.rules.interop import MIXED_VERSIONS
from gate.rules.model import Change

_WORK = tempfile.TemporaryDirectory(prefix="gate-interop-")
_MODULES: dict[str, ModuleType | CodegenFailed] = {}


class CodegenFailed(Exception):
    """`python -m codegen` refused the contracts of one revision; `reason` is its one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def for_revision(root: Path, revision: str) -> ModuleType:
    """Generated classes of `revision`'s contracts (from a `git archive` of its contracts/)."""
    if revision not in _MODULES:
        out_dir = Path(_WORK.name) / revision
        out_dir.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", revision, "contracts"], cwd=root, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(out_dir, filter="data")
        _MODULES[revision] = _generate(root, out_dir / "contracts", revision)
    return _cached(revision)


def generate(root: Path, contracts: Path, tag: str) -> ModuleType:
    """Generated classes of the contracts in `contracts` (cached by `tag`); CodegenFailed when
    codegen refuses them. Codegen runs as a subprocess from `root`, as `make codegen` does."""
    if tag not in _MODULES:
        _MODULES[tag] = _generate(root, contracts, tag)
    return _cached(tag)


def _cached(tag: str) -> ModuleType:
    hit = _MODULES[tag]
    if isinstance(hit, CodegenFailed):
        raise hit
    return hit


def _generate(root: Path, contracts: Path, tag: str) -> ModuleType | CodegenFailed:
    safe = "".join(c if c.isalnum() else "_" for c in tag)[:40]
    output = Path(_WORK.name) / f"events_{safe}.py"
    proc = subprocess.run(
        [sys.executable, "-m", "codegen", "--contracts", str(contracts), "--output", str(output)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        lines = [x.strip() for x in proc.stderr.splitlines() if x.strip()] or ["(no message)"]
        reason = lines[-1].removeprefix("codegen: ")
        return CodegenFailed(reason.split(": ", 1)[1] if reason.startswith(_RAISED) else reason)
    spec = importlib.util.spec_from_file_location(f"gate_interop_{safe}", output)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves forward references through it
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - generated code that does not import is codegen's
        return CodegenFailed(f"the generated module does not import: {type(exc).__name__}: {exc}")
    return module


_RAISED = ("avrokit.", "codegen.", "ValueError", "KeyError", "TypeError")


def _parsed(module: ModuleType, cls: type, for_reading: bool = False) -> Any:
    """fastavro-parsed schema of `cls`; as a reader, with typed defaults (as the runtime reads)."""
    refs = getattr(cls, "AVRO_REFERENCES", ())
    shared = {ref: module.SHARED_SCHEMAS[ref] for ref in refs}
    return parse_with_shared(cls.AVRO_SCHEMA, shared, for_reading=for_reading)  # type: ignore[attr-defined]


def sample(node: Any, named: dict[str, Any], ns: str = "", variant: int = 0) -> Any:
    """A valid value for the Avro type `node`; variant 0 fills optionals, variant 1 leaves them
    null and picks the last enum symbol."""
    if isinstance(node, list):
        branches = [b for b in node if b != "null"] if variant == 0 or "null" not in node else []
        return sample(branches[0], named, ns, variant) if branches else None
    if isinstance(node, str):
        if node not in PRIMITIVES:
            target = named.get(full_name(node, ns)) or named.get(node)
            if target is None:
                raise KeyError(f"unknown named type {node}")
            return sample(target, named, full_name(node, ns).rpartition(".")[0], variant)
        return {
            "null": None,
            "boolean": True,
            "int": 7,
            "long": 7,
            "float": 1.5,
            "double": 1.5,
            "bytes": b"x",
            "string": "sample",
        }[node]
    t, logical = node.get("type"), node.get("logicalType")
    if logical == "uuid":
        return str(uuid.UUID(int=variant + 1))
    if logical == "decimal":
        scale = int(node.get("scale", 0))
        return Decimal(12345).scaleb(-scale) if node.get("precision", 38) >= 5 else Decimal(1)
    if logical in ("timestamp-millis", "timestamp-micros"):
        return dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    if logical == "date":
        return dt.date(2026, 1, 2)
    if isinstance(t, dict | list) or (isinstance(t, str) and t in PRIMITIVES):
        return sample(t, named, ns, variant)
    if t in ("record", "error"):
        inner = full_name(node, ns).rpartition(".")[0]
        return {f["name"]: sample(f["type"], named, inner, variant) for f in node["fields"]}
    if t == "enum":
        return node["symbols"][-1 if variant else 0]
    if t == "array":
        return [sample(node["items"], named, ns, variant)]
    if t == "map":
        return {"k": sample(node["values"], named, ns, variant)}
    if t == "fixed":
        return b"\0" * node["size"]
    return sample(t, named, ns, variant)


def roundtrip(writer_mod: ModuleType, reader_mod: ModuleType, name: str, variant: int) -> Any:
    """Build a `name` event with the writer's class, write, read as the reader's class."""
    wcls, rcls = writer_mod.EVENT_TYPES[name], reader_mod.EVENT_TYPES[name]
    named: dict[str, Any] = {}
    for ref in wcls.AVRO_REFERENCES:
        named.update(named_types(json.loads(writer_mod.SHARED_SCHEMAS[ref])))
    schema = json.loads(wcls.AVRO_SCHEMA)
    named.update(named_types(schema))
    event = wcls.model_validate(sample(schema, named, "", variant))
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, _parsed(writer_mod, wcls), event.model_dump())
    buf.seek(0)
    record = fastavro.schemaless_reader(
        buf, _parsed(writer_mod, wcls), _parsed(reader_mod, rcls, for_reading=True)
    )
    return rcls.model_validate(record)


def check(
    old: ModuleType, new: ModuleType, contract: Contract, level: CompatibilityLevel
) -> list[Change]:
    """Round trips of `contract`'s event between the old and the new generated classes, in the
    directions `level` promises."""
    if level is CompatibilityLevel.NONE:
        return []
    name = contract.full_name
    if name not in getattr(old, "EVENT_TYPES", {}) or name not in new.EVENT_TYPES:
        return []  # shared types are exercised through the events; renames are CODEGEN's
    directions = []
    if level.forward:
        directions.append(
            (new, old, "the base revision's class cannot read events written by the new class")
        )
    if level.backward:
        directions.append(
            (old, new, "the new class cannot read events written by the base revision's class")
        )
    out = []
    for writer, reader, what in directions:
        for variant in (0, 1):
            try:
                roundtrip(writer, reader, name, variant)
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                first = " ".join(str(exc).split("For further information")[0].split())[:240]
                out.append(
                    Change(
                        MIXED_VERSIONS,
                        "",
                        f"{what} ({contract.name}, sample "
                        f"{variant}): {type(exc).__name__}: {first}",
                        f"make {contract.name} resolvable in this direction",
                    )
                )
                break
    return out
