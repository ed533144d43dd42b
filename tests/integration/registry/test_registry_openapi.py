"""Schemathesis against the registry's own /openapi.json: no server errors, documented statuses,
content types and response bodies. Runs on its own registry process (it sends random writes)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from stack.process import free_port
from stack.registry_process import start_registry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fuzz_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("fuzz-registry")
    port = free_port()
    proc = start_registry(port, tmp / "data", tmp / "registry.log")
    yield f"http://127.0.0.1:{port}"
    proc.stop()


# schemathesis.pytest.from_fixture breaks on pytest 9 (it reads Function._nodeid), so this drives
# hypothesis over each operation's strategy directly.
MAX_EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_openapi_conformance(fuzz_registry: str) -> None:
    api = schemathesis.openapi.from_url(f"{fuzz_registry}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 30
    failures: dict[str, str] = {}
    calls: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate(checks=CHECKS)
            calls.append(response.status_code)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report
            failures[operation.label] = str(exc)[:1500]
    assert len(calls) >= len(operations) - len(failures)
    assert any(code < 300 for code in calls) and any(code >= 400 for code in calls)
    assert failures == {}, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
