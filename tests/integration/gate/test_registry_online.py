"""`gate compat --registry URL`: the same rules and output against every registered version."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[3]
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


def _register(
    client: httpx.Client, subject: str, text: str, refs: list[dict[str, object]] | None = None
) -> None:
    body: dict[str, object] = {"schema": text}
    if refs:
        body["references"] = refs
    resp = client.post(f"/subjects/{subject}/versions", content=json.dumps(body), headers=CT)
    assert resp.status_code == 200, resp.text


def test_registry_history_is_checked_with_the_same_rules(registry_url: str, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for item in ("contracts", "avrokit", "codegen", "gate", "registry"):
        shutil.copytree(REPO / item, root / item, ignore=shutil.ignore_patterns("__pycache__"))
    meta = (root / "contracts/shop/common/event_metadata.avsc").read_text()
    order = root / "contracts/shop/events/order_created.avsc"
    with httpx.Client(base_url=registry_url, timeout=10) as client:
        client.put(
            "/config/order_created-value", content=json.dumps({"compatibility": "NONE"}), headers=CT
        )
        _register(client, "shop.common.EventMetadata", meta)
        ref = [
            {
                "name": "shop.common.EventMetadata",
                "subject": "shop.common.EventMetadata",
                "version": 1,
            }
        ]
        v1 = order.read_text()
        _register(client, "order_created-value", v1, ref)
        # v2 dropped the optional note; the working tree has it again: resolvable both ways
        v2 = json.loads(v1)
        v2["fields"] = [f for f in v2["fields"] if f["name"] != "note"]
        _register(client, "order_created-value", json.dumps(v2), ref)
    order.write_text(
        order.read_text().replace('"precision": 14, "scale": 2', '"precision": 14, "scale": 3')
    )
    proc = subprocess.run(
        [sys.executable, "-m", "gate", "compat", "--registry", registry_url],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    print(proc.stdout, proc.stderr)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert (
        "contracts/shop/events/order_created.avsc:20:101: SEMANTIC_DECIMAL_SCALE_CHANGED "
        "decimal scale changed from 2 to 3 [order_created-value, against registry v2]"
    ) in lines
    assert f"checked against the registry {registry_url}" in lines
    assert lines[-1] == "gate compat FAILED: 1 error in 12 subjects"  # unregistered subjects pass
