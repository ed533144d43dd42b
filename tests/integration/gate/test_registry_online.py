"""Registry mode, as Confluent's maven plugin: `gate compat --registry URL` asks the registry's own
`/compatibility` endpoint at its level and reports drift from the catalog's, runs the gate's rules
and INTEROP against the registered versions; `gate download`; `stack register --dry-run
--subject`. Each test has a registry process of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from avrokit.catalog import load_catalog
from avrokit.yamlfile import locate_yaml
from stack.contracts import register_contracts
from stack.process import free_port
from stack.registry_process import start_registry

REPO = Path(__file__).resolve().parents[3]
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
ORDER_CREATED = "contracts/shop/events/order_created.avsc"
ORDER_PAID = "contracts/shop/events/order_paid.avsc"


@pytest.fixture
def registry(tmp_path: Path, logs_dir: Path) -> Iterator[str]:
    port = free_port()
    process = start_registry(port, tmp_path / "registry-data", logs_dir / f"registry-{port}.log")
    yield f"http://127.0.0.1:{port}"
    process.stop()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The gate's view of the repository, without git: registry mode needs no history."""
    root = tmp_path / "repo"
    for item in ("contracts", "avrokit", "codegen", "gate"):
        shutil.copytree(REPO / item, root / item, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _register(
    client: httpx.Client, subject: str, text: str, refs: list[dict[str, object]] | None = None
) -> None:
    body: dict[str, object] = {"schema": text}
    if refs:
        body["references"] = refs
    resp = client.post(f"/subjects/{subject}/versions", content=json.dumps(body), headers=CT)
    assert resp.status_code == 200, resp.text


def _gate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "gate", *args], cwd=root, capture_output=True, text=True, timeout=120
    )
    print(proc.stdout, proc.stderr)
    return proc


def test_registry_history_level_drift_and_interop(registry: str, root: Path) -> None:
    meta = (root / "contracts/shop/common/event_metadata.avsc").read_text()
    order = root / ORDER_CREATED
    with httpx.Client(base_url=registry, timeout=10) as client:
        client.put(
            "/config/order_created-value", content=json.dumps({"compatibility": "NONE"}), headers=CT
        )
        _register(client, "shop.common.EventMetadata", meta)
        ref = [{"name": "shop.common.EventMetadata", "subject": "shop.common.EventMetadata"}]
        ref[0]["version"] = 1  # type: ignore[assignment]
        v1 = order.read_text()
        _register(client, "order_created-value", v1, ref)
        # v2 dropped the optional note; the working tree has it again: resolvable both ways
        v2 = json.loads(v1)
        v2["fields"] = [f for f in v2["fields"] if f["name"] != "note"]
        _register(client, "order_created-value", json.dumps(v2), ref)
    order.write_text(
        order.read_text().replace('"precision": 14, "scale": 2', '"precision": 14, "scale": 3')
    )
    proc = _gate(root, "compat", "--registry", registry)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert (
        f"{ORDER_CREATED}:20:101: SEMANTIC_DECIMAL_SCALE_CHANGED shop.events.OrderCreated.total: "
        "decimal scale changed from 2 to 3 [order_created-value, against registry v2]"
    ) in lines
    # the registry checks order_created-value at NONE (EventMetadata at its global BACKWARD),
    # the catalog says FULL_TRANSITIVE: drift, at the catalog entry
    catalog = (root / "contracts/catalog.yaml").read_text()
    meta_at = "{}:{}".format(*locate_yaml(catalog, ("shared_types", 0, "compatibility")))
    order_at = "{}:{}".format(*locate_yaml(catalog, ("topics", "order_created", "compatibility")))
    assert [x for x in lines if "WIRE_LEVEL_DRIFT" in x] == [
        f"contracts/catalog.yaml:{meta_at}: WIRE_LEVEL_DRIFT shared_types[0].compatibility: "
        "subject 'shop.common.EventMetadata': the registry checks it at BACKWARD, the catalog "
        "states FULL_TRANSITIVE [shop.common.EventMetadata]",
        f"contracts/catalog.yaml:{order_at}: WIRE_LEVEL_DRIFT topics.order_created.compatibility: "
        "subject 'order_created-value': the registry checks it at NONE, the catalog states "
        "FULL_TRANSITIVE [order_created-value]",
    ]
    # INTEROP against classes generated from the registry's latest schemas (v2, no note)
    assert any(x.startswith(f"{ORDER_CREATED}:1:1: INTEROP_MIXED_VERSIONS") for x in lines)
    assert f"checked against the registry {registry}" in lines
    assert "order_paid-value: not registered: new, nothing to compare with" in lines
    assert lines[-1] == "gate compat FAILED: 4 errors in 12 subjects"


def test_the_registry_verdict_and_the_gate_agree_once_and_download_writes_the_schemas(
    registry: str, root: Path, tmp_path: Path
) -> None:
    register_contracts(registry, load_catalog(root / "contracts"))
    assert _gate(root, "compat", "--registry", registry).returncode == 0
    paid = root / ORDER_PAID
    paid.write_text(
        paid.read_text().replace(
            '"name": "payment_id", "type": "string"', '"name": "payment_id", "type": "long"'
        )
    )
    proc = _gate(root, "compat", "--registry", registry, "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    # the registry's own /compatibility verdict says the same as the gate's WIRE rule: one finding
    assert [(f["rule"], f["field"]) for f in data["findings"]] == [
        ("WIRE_TYPE_MISMATCH", "shop.events.OrderPaid.payment_id")
    ]
    out = tmp_path / "downloaded"
    proc = _gate(
        root,
        "download",
        "--registry",
        registry,
        "--output",
        str(out),
        "--subject",
        "order_paid-value",
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("gate download: order_paid-value: version 1 -> ")
    written = json.loads((out / "shop/events/order_paid.avsc").read_text())
    assert written == json.loads((REPO / ORDER_PAID).read_text())
    assert (out / "catalog.yaml").read_text() == (root / "contracts/catalog.yaml").read_text()
    unknown = _gate(
        root, "download", "--registry", registry, "--output", str(out), "--subject", "nope-value"
    )
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "gate download: no such subject in the catalog: nope-value"
    gone = _gate(root, "compat", "--registry", "http://127.0.0.1:9")
    assert gone.returncode == 2 and gone.stderr.startswith("gate compat: http://127.0.0.1:9/")
    assert len(gone.stderr.splitlines()) == 1


def test_register_dry_run_and_one_subject(registry: str) -> None:
    env = {**os.environ, "SCHEMA_REGISTRY_URL": registry}
    stack = [sys.executable, "-m", "stack", "register"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [*stack, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
        )
        print(proc.stdout, proc.stderr)
        return proc

    dry = run("--dry-run", "--subject", "order_paid-value")
    assert dry.returncode == 0
    assert dry.stdout.splitlines() == [
        "[stack] shop.common.EventMetadata: registered too, referenced by the chosen subjects",
        "[stack] shop.common.EventMetadata: would register a new version (new subject); level "
        "FULL_TRANSITIVE (registry: unset)",
        "[stack] order_paid-value: would register a new version, referencing the new version of "
        "shop.common.EventMetadata; level FULL_TRANSITIVE (registry: unset)",
        "[stack] dry run: nothing registered",
    ]
    with httpx.Client(base_url=registry, timeout=10) as client:
        assert client.get("/subjects").json() == []
        assert run("--subject", "order_paid-value").returncode == 0
        assert sorted(client.get("/subjects").json()) == [
            "order_paid-value",
            "shop.common.EventMetadata",
        ]
    again = run("--dry-run", "--subject", "order_paid-value")
    assert "[stack] order_paid-value: already registered as version 1 (id " in again.stdout
    assert run("--subject", "nope").stderr.strip() == "stack: no such subject in the catalog: nope"
