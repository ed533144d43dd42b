"""Static rules of docker-compose.yml and the Dockerfile: the real files pass, and each rule
fires on a copy broken the way a careless edit would break it."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from stack.compose import COMPOSE_FILE, DOCKERFILE, kafka_uuid, load_compose
from stack.deploy_check import check_compose, check_dockerfile, main


def test_the_real_files_pass() -> None:
    assert check_compose() == []
    assert check_dockerfile() == []


def test_a_database_url_given_on_the_registry_command_line_counts(tmp_path: Path) -> None:
    def move_to_command(data: dict[str, Any]) -> None:
        registry = svc(data, "registry")
        url = registry.pop("environment")["REGISTRY_DATABASE_URL"]
        registry["command"] += f" --database-url {url}"

    assert broken_compose(tmp_path, move_to_command) == []


def test_text_that_is_not_a_url_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    def garble(data: dict[str, Any]) -> None:
        svc(data, "payment")["environment"]["DATABASE_URL"] = "postgresql://[oops"
        status = svc(data, "status")["environment"]
        status["OPS_URLS"] = status["OPS_URLS"] + ",http://[oops"

    findings = broken_compose(tmp_path, garble)
    assert (
        "docker-compose.yml: services.payment.environment.DATABASE_URL: not a postgresql:// URL: "
        "each replica would keep its own SQLite file under DATA_DIR, and replicas (`--scale`) "
        "would share no state"
    ) in findings
    assert (
        "docker-compose.yml: services.status.environment.OPS_URLS: 'http://[oops' is not a URL"
    ) in findings


def broken_compose(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> list[str]:
    data = yaml.safe_load(COMPOSE_FILE.read_text())  # anchors resolved: edits touch one service
    edit(data)
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(data))
    return check_compose(path)


def svc(data: dict[str, Any], name: str) -> dict[str, Any]:
    spec: dict[str, Any] = data["services"][name]
    return spec


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda d: svc(d, "kafka")["environment"].update(
                CLUSTER_ID="shop-events-kraft-cluster-01"
            ),
            "environment.CLUSTER_ID 'shop-events-kraft-cluster-01': Kafka refuses it",
        ),
        (
            lambda d: svc(d, "payment")["environment"].update(KAFKA_BOOTSTRAP_SERVER="kafka:29092"),
            "services.payment.environment.KAFKA_BOOTSTRAP_SERVER: read by none of PaymentSettings",
        ),
        (
            lambda d: svc(d, "register")["environment"].update(TOPIC_REPLICATON_FACTOR="1"),
            "services.register.environment.TOPIC_REPLICATON_FACTOR: read by none of StackSettings",
        ),
        (
            lambda d: svc(d, "payment").pop("healthcheck"),
            "services.payment.healthcheck: missing",
        ),
        (
            lambda d: svc(d, "payment")["healthcheck"].update(
                test=["CMD", "python", "-m", "stack.probe", "http://127.0.0.1:9999/health/ready"]
            ),
            "services.payment.healthcheck: probes port 9999",
        ),
        (
            lambda d: svc(d, "payment").update(
                depends_on={"kafak": {"condition": "service_healthy"}}
            ),
            "services.payment.depends_on.kafak: no such service",
        ),
        (
            lambda d: svc(d, "payment").update(depends_on={"registry": {"condition": "healthy"}}),
            "services.payment.depends_on.registry: condition 'healthy' is not one of",
        ),
        (
            lambda d: svc(d, "payment").update(
                depends_on={"order": {"condition": "service_completed_successfully"}}
            ),
            "services.payment.depends_on.order: waits for completion of order",
        ),
        (lambda d: svc(d, "payment").pop("depends_on"), "services.payment.depends_on: none"),
        (
            lambda d: svc(d, "payment").update(container_name="payment"),
            "services.payment.container_name: a fixed name stops",
        ),
        (
            lambda d: svc(d, "order").update(ports=["8000:8000"]),
            "services.order.ports: '8000:8000' binds a fixed host port",
        ),
        (
            lambda d: svc(d, "postgres").update(image="postgres"),
            "services.postgres.image: 'postgres' is not pinned",
        ),
        (
            lambda d: svc(d, "kafka").update(image="confluentinc/cp-kafka:latest"),
            "services.kafka.image: 'confluentinc/cp-kafka:latest' is not pinned",
        ),
        (
            lambda d: svc(d, "payment").update(image="shop-events:0.0.9"),
            "our image is tagged with the project version",
        ),
        (
            lambda d: svc(d, "register")["environment"].pop("TOPIC_REPLICATION_FACTOR"),
            "services.register.topics get replication factor 3 (catalog 3, "
            "TOPIC_REPLICATION_FACTOR unset) but the file runs 1 broker(s)",
        ),
        (
            lambda d: svc(d, "payment")["environment"].pop("DATABASE_URL"),
            "services.payment.environment.DATABASE_URL: not a postgresql:// URL: each replica "
            "would keep its own SQLite file",
        ),
        (
            lambda d: svc(d, "registry").pop("environment"),
            "services.registry.environment.REGISTRY_DATABASE_URL: unset (nor --database-url)",
        ),
        (
            lambda d: svc(d, "registry").update(
                depends_on={"kafka": {"condition": "service_healthy"}}
            ),
            "services.registry.environment.REGISTRY_DATABASE_URL: names postgres, which it does "
            "not wait for",
        ),
        (
            lambda d: svc(d, "order")["environment"].update(
                DATABASE_URL="postgresql://shop:secret@postgres:5432/shop"
            ),
            "services.order.environment.DATABASE_URL: password is not the one postgres creates",
        ),
        (
            lambda d: svc(d, "order")["environment"].update(
                DATABASE_URL="postgresql://shop:shop@postgres:5432/orders"
            ),
            "services.order.environment.DATABASE_URL: database 'orders' is not the one postgres "
            "creates (POSTGRES_DB)",
        ),
        (
            lambda d: svc(d, "status")["environment"].update(
                OPS_URLS="http://order:9000,http://payment:9000,http://inventory:9000,"
                "http://shipping:9000,http://delivery:9000,http://notifcation:9000"
            ),
            "services.status.environment.OPS_URLS: does not name notification",
        ),
        (
            lambda d: svc(d, "console")["environment"].update(
                OPS_URLS=svc(d, "console")["environment"]["OPS_URLS"] + ",http://loyalty:9000"
            ),
            "services.console.environment.OPS_URLS: names loyalty, which is no service",
        ),
        (
            lambda d: d["volumes"].update({"payment-data": None}),
            "volumes.payment-data: declared, but no service mounts it",
        ),
        (
            lambda d: svc(d, "payment").update(command="python -m services.paymnt"),
            "services.payment.command: module 'services.paymnt' is not importable",
        ),
        (
            lambda d: svc(d, "register").update(command="sh -c 'python -m stack topcs'"),
            "services.register.command: `python -m stack topcs` does not parse",
        ),
    ],
)
def test_each_compose_rule_fires(tmp_path: Path, edit: Any, expected: str) -> None:
    findings = broken_compose(tmp_path, edit)
    assert any(expected in f for f in findings), findings


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("USER shop\n", "", "USER: the image runs as root"),
        ("USER shop\n", "USER root\n", "USER: the image runs as root"),
        ("HEALTHCHECK", "# HEALTHCHECK", "HEALTHCHECK: missing"),
        ("COPY avrokit avrokit\n", "", "COPY avrokit: missing"),
        ("FROM python:3.11.10-slim-bookworm AS wheel", "FROM python AS wheel", "not pinned"),
    ],
)
def test_each_dockerfile_rule_fires(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = DOCKERFILE.read_text()
    assert old in text
    path = tmp_path / "Dockerfile"
    path.write_text(text.replace(old, new, 1))
    findings = check_dockerfile(path)
    assert any(expected in f for f in findings), findings


def test_dependencies_after_the_sources_are_found(tmp_path: Path) -> None:
    text = DOCKERFILE.read_text()
    deps_start = text.index("COPY pyproject.toml /tmp/pyproject.toml")
    deps_end = text.index("COPY --from=wheel")
    moved = text[:deps_start] + text[deps_end:].replace(
        "RUN useradd", text[deps_start:deps_end] + "RUN useradd", 1
    )
    path = tmp_path / "Dockerfile"
    path.write_text(moved)
    assert any("layer of their own" in f for f in check_dockerfile(path))


def test_kafka_cluster_id_parses_as_kafka_parses_it() -> None:
    compose = load_compose()
    cluster_id = compose.services["kafka"].environment["CLUSTER_ID"]
    assert len(kafka_uuid(cluster_id)) == 16
    assert kafka_uuid("MkU3OEVBNTcwNTJENDM2Qk") == base64.urlsafe_b64decode(
        "MkU3OEVBNTcwNTJENDM2Qk=="
    )
    for _ in range(200):  # what `kafka-storage random-uuid` prints always parses back
        raw = os.urandom(16)
        text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if raw not in (bytes(16), bytes(15) + b"\x01"):
            assert kafka_uuid(text) == raw
    for bad in (
        "shop-events-kraft-cluster-01",  # the old value: 28 characters
        "MkU3OEVBNTcwNTJENDM2Qk+",  # '+' is not in the URL alphabet
        "MkU3OEVBNTcwNTJENDM2",  # 15 bytes
        "MkU3OEVBNTcwNTJENDM2QkE",  # 17 bytes
        "AAAAAAAAAAAAAAAAAAAAAA",  # reserved: zero
        "AAAAAAAAAAAAAAAAAAAAAQ",  # reserved: the metadata topic id
        "",
        "é" * 22,
    ):
        with pytest.raises(ValueError):
            kafka_uuid(bad)


def test_cli_reports_a_malformed_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "docker-compose.yml"
    path.write_text("services: [unclosed\n")
    assert main(["--compose", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err.startswith(f"deploy_check: {path}: cannot read it as YAML") and "Traceback" not in err
    )
    path.write_text("services: 3\n")
    assert main(["--compose", str(path)]) == 2
    assert main([]) == 0
