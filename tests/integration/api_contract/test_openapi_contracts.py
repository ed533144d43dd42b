"""Schemathesis (all checks, every phase: examples, coverage, fuzzing, stateful) against the live
registry and the live order service, each driven only by its own `/openapi.json`.

It fails when a server answers 5xx, answers outside its document (status, headers, body, content
type), accepts what its document declares invalid, refuses what its document declares valid for a
reason other than state or content (`registry_checks.py`, `order_checks.py`), answers an
undeclared method without 405 + `Allow`, or breaks when following the documents' links (register ->
read back, place an order -> `GET /orders/{id}`). A fixed seed and example budget keep the run
reproducible and short; `API_CONTRACT_SEED` / `API_CONTRACT_EXAMPLES` explore further.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.process import free_port
from stack.registry_process import start_registry
from stack.stack import Stack, StackConfig

pytestmark = pytest.mark.integration

HERE = Path(__file__).parent
SEED = os.environ.get("API_CONTRACT_SEED", "1")
PHASES = ("Examples", "Coverage", "Fuzzing", "Stateful")


@pytest.fixture(scope="module")
def fuzzed_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A registry of its own: the run registers, changes and deletes at random."""
    tmp = tmp_path_factory.mktemp("contract-registry")
    port = free_port()
    proc = start_registry(port, tmp / "data", tmp / "registry.log")
    yield f"http://127.0.0.1:{port}"
    proc.stop()


@pytest.fixture(scope="module")
def order_api(
    tmp_path_factory: pytest.TempPathFactory,
    kafka_bootstrap: str,
    contracts_registry_url: str,
    topics: list[str],
) -> Iterator[str]:
    """The order service alone (its API and consumers) on the session's broker and registry."""
    config = StackConfig(
        root=tmp_path_factory.mktemp("contract-order"),
        kafka=kafka_bootstrap,
        registry_url=contracts_registry_url,
        order_api_url=f"http://127.0.0.1:{free_port()}",
    )
    process = Stack(config).service_process("order").start(timeout=60)
    yield config.order_api_url
    process.stop()


def run_schemathesis(base_url: str, hooks: str, examples: int, tmp: Path) -> str:
    """Run the CLI against `base_url`; return its output, failing the test on any finding."""
    command = [
        sys.executable, "-m", "schemathesis.cli",
        "--config-file", str(HERE / "schemathesis.toml"),
        "run", f"{base_url}/openapi.json",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", os.environ.get("API_CONTRACT_EXAMPLES", str(examples)),
        "--seed", SEED,
        "--workers", "1",
        "--generation-database", "none",
        "--no-color",
        "--report", "junit", "--report-dir", str(tmp),
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": hooks, "PYTHONPATH": str(HERE)}
    done = subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", env=env, timeout=600, cwd=tmp
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"schemathesis found problems (seed {SEED}):\n{output[-12000:]}"
    return output


def assert_every_phase_ran(output: str) -> None:
    for phase in PHASES:
        assert re.search(rf"✅\s+{phase}", output), f"phase {phase} did not run and pass:\n{output}"
    covered = re.search(r"API Links:\s+(\d+) covered", output)
    assert covered and int(covered.group(1)) > 0, f"no link was followed:\n{output}"
    assert re.search(r"\d+ generated, \d+ passed", output), output


def test_registry_conforms_to_its_openapi_document(fuzzed_registry: str, tmp_path: Path) -> None:
    output = run_schemathesis(fuzzed_registry, "registry_checks", 20, tmp_path)
    assert_every_phase_ran(output)
    assert "33 selected / 33 total" in output  # every operation of the document was tried


def test_order_api_conforms_to_its_openapi_document(order_api: str, tmp_path: Path) -> None:
    output = run_schemathesis(order_api, "order_checks", 30, tmp_path)
    assert_every_phase_ran(output)
