"""The registry's /metrics: requests by route template and status, latency, bounded labels."""

from __future__ import annotations

import base64
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from registry.app import create_app
from registry.auth import User

SCHEMA = '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]}'


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_requests_counted_by_route_template_and_status(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path))
    body = {"schema": SCHEMA}
    assert client.post("/subjects/orders-value/versions", json=body).status_code == 200
    assert client.get("/subjects/orders-value/versions/1").status_code == 200
    assert client.get("/subjects/other-value/versions/1").status_code == 404
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    counts = samples(metrics.text, "registry_requests_total")
    route = "/subjects/{subject}/versions/{version}"
    assert counts[(("method", "GET"), ("route", route), ("status", "200"))] == 1
    assert counts[(("method", "GET"), ("route", route), ("status", "404"))] == 1
    post = (("method", "POST"), ("route", "/subjects/{subject}/versions"), ("status", "200"))
    assert counts[post] == 1
    latency = samples(metrics.text, "registry_request_seconds_count")
    assert latency[(("route", route),)] == 2


def test_invented_paths_and_methods_do_not_grow_the_series(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path))
    for i in range(300):
        client.get(f"/no/such/path/{i}/\u202e\U0001f600")
        client.request("BREW", f"/x{i}")
    counts = samples(client.get("/metrics").text, "registry_requests_total")
    unmatched = {labels: n for labels, n in counts.items() if ("route", "unmatched") in labels}
    assert sum(unmatched.values()) == 600
    assert len(unmatched) <= 3  # GET 404, other-method 404/405: not one series per path


def test_metrics_answer_without_credentials_and_count_refusals(tmp_path: Path) -> None:
    users = {"ci": User("ci", "secret", "readwrite")}
    client = TestClient(create_app(tmp_path, users))
    assert client.get("/subjects").status_code == 401
    token = base64.b64encode(b"ci:secret").decode()
    assert client.get("/subjects", headers={"Authorization": f"Basic {token}"}).status_code == 200
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    counts = samples(metrics.text, "registry_requests_total")
    # refused before routing: counted, under "unmatched" (the route was never looked at)
    assert counts[(("method", "GET"), ("route", "unmatched"), ("status", "401"))] == 1
    assert counts[(("method", "GET"), ("route", "/subjects"), ("status", "200"))] == 1
