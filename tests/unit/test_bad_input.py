"""Malformed catalogs and contracts, as a careless user or an attacker writes them: every tool that
reads them (gate, codegen, stack) answers with one line per problem naming the file and the key or
JSON path and what was expected, exit 2, never a traceback, and generates nothing."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from codegen.__main__ import main as codegen_main
from gate.__main__ import main as gate_main
from stack.__main__ import main as stack_main

ROOT = Path(__file__).resolve().parents[2]
PAID = "shop/events/order_paid.avsc"


def _catalog(text: str) -> Callable[[Path], None]:
    def apply(contracts: Path) -> None:
        (contracts / "catalog.yaml").write_text(text)

    return apply


def _replace_in_catalog(old: str, new: str) -> Callable[[Path], None]:
    def apply(contracts: Path) -> None:
        path = contracts / "catalog.yaml"
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))

    return apply


def _paid(change: Callable[[dict], object]) -> Callable[[Path], None]:  # type: ignore[type-arg]
    def apply(contracts: Path) -> None:
        path = contracts / PAID
        schema = json.loads(path.read_text())
        change(schema)
        path.write_text(json.dumps(schema, indent=2))

    return apply


def _non_utf8(contracts: Path) -> None:
    path = contracts / PAID
    path.write_bytes(path.read_bytes().replace(b"Id of the order.", b"Id of the \xff order."))


def _deep(contracts: Path) -> None:
    """payment_id as an array of arrays ... 2,000 deep (written as text: json.dumps would
    recurse as deep)."""
    deep = '{"type": "array", "items": ' * 2000 + '"string"' + "}" * 2000
    path = contracts / PAID
    old = '"name": "payment_id", "type": "string"'
    path.write_text(path.read_text().replace(old, f'"name": "payment_id", "type": {deep}'))


def _duplicate_field(schema: dict) -> None:  # type: ignore[type-arg]
    schema["fields"].append(dict(schema["fields"][2]))


# (case, change, what the one line must match after the file name)
CASES = [
    (
        "empty catalog",
        _catalog("# nothing yet\n"),
        r"catalog\.yaml: the file is empty; expected a mapping with keys shared_types, topics",
    ),
    (
        "list where a mapping belongs",
        _replace_in_catalog(
            "dead_letter_queue:\n  topic: dead_letter_queue\n  partitions: 3",
            "dead_letter_queue: [dead_letter_queue, 3]",
        ),
        r"catalog\.yaml:\d+:1: dead_letter_queue: expected a mapping, got a list",
    ),
    (
        "partitions: three",
        _replace_in_catalog("partitions: 3", "partitions: three"),
        r"catalog\.yaml:\d+:5: topics\.order_created\.partitions: expected a valid integer, "
        r"got 'three'",
    ),
    (
        "unknown key",
        _replace_in_catalog("    partitions: 3\n", "    partitions: 3\n    partition: 3\n"),
        r"catalog\.yaml:\d+:5: topics\.order_created\.partition: unknown key",
    ),
    (
        "a level that does not exist",
        _replace_in_catalog("compatibility: FULL_TRANSITIVE", "compatibility: STRICT"),
        r"catalog\.yaml:\d+:5: shared_types\[0\]\.compatibility: expected 'NONE', 'BACKWARD'",
    ),
    (
        "non-UTF-8 .avsc",
        _non_utf8,
        r"shop/events/order_paid\.avsc: not UTF-8 text \(byte 0xff at offset \d+\); expected a "
        r"UTF-8 file",
    ),
    (
        "nested 2,000 deep",
        _deep,
        r"shop/events/order_paid\.avsc:\d+: nested 2003 levels deep; expected at most 128",
    ),
    (
        'fields: "oops"',
        _paid(lambda s: s.update(fields="oops")),
        r"shop/events/order_paid\.avsc: Record 'OrderPaid' at '/' must have a 'fields' list "
        r"\(got str\)",
    ),
    (
        "name: 5",
        _paid(lambda s: s["fields"][2].update(name=5)),
        r"shop/events/order_paid\.avsc: field at '/fields/2' must have a non-empty string name "
        r"\(got 5\)",
    ),
    (
        "duplicate field name",
        _paid(_duplicate_field),
        r"shop/events/order_paid\.avsc: Duplicate field name 'payment_id' in record 'OrderPaid' at "
        r"'/fields/5'",
    ),
    (
        "missing type",
        _paid(lambda s: s["fields"][2].pop("type")),
        r"shop/events/order_paid\.avsc: Field 'payment_id' at '/fields/2' has no type",
    ),
    (
        "invalid name",
        _paid(lambda s: s.update(name="Order-Paid")),
        r"shop/events/order_paid\.avsc: Invalid name 'Order-Paid' for record type at '/'",
    ),
    (
        "a file the catalog names is missing",
        _replace_in_catalog("value: shop/events/order_paid.avsc", "value: shop/events/nope.avsc"),
        r"catalog\.yaml:\d+:5: topics\.order_paid\.value: file 'shop/events/nope\.avsc' does not "
        r"exist",
    ),
]
TOOLS = ["gate compat", "gate lint", "codegen", "stack register"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    shutil.copytree(ROOT / "contracts", root / "contracts")
    return root


def _run(tool: str, root: Path) -> int:
    contracts = root / "contracts"
    if tool.startswith("gate"):
        return gate_main(["--root", str(root), tool.split()[1]])
    if tool == "codegen":
        return codegen_main(["--contracts", str(contracts), "--output", str(root / "out.py")])
    return stack_main(["--root", str(root / "var"), "--contracts", str(contracts), "register"])


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize(("case", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_naming_file_and_key_exit_2(
    tool: str,
    case: str,
    change: Callable[[Path], None],
    expected: str,
    pristine: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(pristine / "contracts", tmp_path / "contracts")
    change(tmp_path / "contracts")
    monkeypatch.chdir(tmp_path)
    assert _run(tool, tmp_path) == 2
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    prefix = {"gate compat": "gate compat", "gate lint": "gate lint"}.get(tool, tool.split()[0])
    assert re.match(rf"{prefix}: contracts/{expected}", line), line
    assert "Traceback" not in out + err
    assert not (tmp_path / "out.py").exists()  # codegen generated nothing
