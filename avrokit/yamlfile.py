"""YAML files read into pydantic models, with one line per problem naming the file, the line, the
key path and what was expected (never a traceback), and the line of a key path for reports.

The catalog, the gate's overrides and its configuration are all read through `load_model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

M = TypeVar("M", bound=pydantic.BaseModel)


class InputError(ValueError):
    """A malformed input file; the message is one line per problem, each naming the file."""


def display(path: Path) -> str:
    """`path` relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path) -> str:
    """The file's text; InputError if it is missing or not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"{display(path)}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{display(path)}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start}); expected a UTF-8 file"
        ) from None


def key_path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _expected(err: Any) -> str:
    kind, msg = err["type"], str(err["msg"])
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping, got {_kind(err['input'])}"
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    msg = msg.replace("Input should be", "expected", 1)
    if "input" in err and kind != "value_error":
        msg += f", got {_kind(err['input'])}"
    return msg


def validation_lines(path: Path, text: str, exc: pydantic.ValidationError) -> str:
    """One line per problem: `file:line:col: key.path: what was expected, got what`."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line, col = locate_yaml(text, loc)
        where = f"{display(path)}:{line}:{col}"
        lines.append(f"{where}: {key_path(loc)}: {_expected(err)}")
    return "\n".join(lines)


def load_model(
    path: Path, model: type[M], expected: str, missing_ok: bool = False, empty_ok: bool = False
) -> M | None:
    """Read `path` into `model`; InputError (one line per problem) if it is not what `expected`
    describes. A missing file is None when `missing_ok`; an empty one (or only comments) is the
    model's defaults when `empty_ok`."""
    if missing_ok and not path.exists():
        return None
    text = read_text(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{display(path)}{where}: not valid YAML: {problem}") from None
    if raw is None and empty_ok:
        raw = {}
    if raw is None:
        raise InputError(f"{display(path)}: the file is empty; expected {expected}")
    if not isinstance(raw, dict):
        raise InputError(f"{display(path)}: expected {expected}, got {_kind(raw)}")
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise InputError(validation_lines(path, text, exc)) from None


def locate_yaml(text: str, keys: Sequence[str | int]) -> tuple[int, int]:
    """1-based line and column of the key at `keys` (mapping keys, list indexes) in YAML `text`;
    the nearest existing ancestor if it is absent, 1:1 if the text is not YAML."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return 1, 1
    line, col = 1, 1
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            hit = next((kv for kv in node.value if kv[0].value == str(key)), None)
            if hit is None:
                break
            line, col = hit[0].start_mark.line + 1, hit[0].start_mark.column + 1
            node = hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
        else:
            break
    return line, col
