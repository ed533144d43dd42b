"""`python -m stack.deploy_check`: static rules for docker-compose.yml and the Dockerfile.

No Docker daemon is needed; each finding is one line, `file: where: what is wrong`:

- every variable set for one of our commands is a field of the settings class that command
  reads (a misspelt KAFKA_BOOTSTRAP_SERVER would otherwise be ignored silently);
- every `python -m module args` is importable, and the stack CLI's arguments parse;
- Kafka's CLUSTER_ID parses as Kafka's storage format parses it;
- every long-running service has a healthcheck, every dependency a condition that can be met,
  and a probe asks the port the service serves its ops endpoints on;
- images are pinned (tag other than latest, or digest); our image's tag is the project version;
- scalable services (the six) have no container_name and no fixed host port (ranges are fine),
  and keep their state in PostgreSQL (DATABASE_URL), as the registry does (REGISTRY_DATABASE_URL
  or --database-url): replicas share the database and nothing on a container's disk;
- a database URL naming a service of the file waits for it (depends_on, directly or through
  another service) and logs in as the user, password and database that service creates;
- every named volume declared is mounted by some service;
- OPS_URLS (make status, the console) names every one of the six services the file runs;
- the replication factor the topics get fits the brokers the file runs;
- the Dockerfile: pinned base, dependencies installed in a layer before the sources, every
  package of pyproject.toml copied, a non-root USER and a HEALTHCHECK.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import re
import sys
import tomllib
import typing
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from avrokit.catalog import load_catalog
from stack.compose import (
    COMPOSE_FILE,
    DOCKERFILE,
    ROOT,
    ComposeError,
    ComposeFile,
    ComposeService,
    kafka_uuid,
    load_compose,
    python_module,
)
from stack.stack import SERVICES

CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")
DATABASE_SCHEMES = ("postgresql", "postgres")
PINNED = re.compile(r"^[^:@\s]+(:[\w][\w.-]*)?(@sha256:[0-9a-f]{64})?$")


def settings_fields(module: str) -> tuple[str, set[str]] | None:
    """(settings class name, env variable names) that `python -m module` reads, if known."""
    top = module.split(".")[0]
    if top == "services" and module.split(".")[1] in SERVICES:
        bootstrap = importlib.import_module(f"{'.'.join(module.split('.')[:2])}.bootstrap")
        cls = typing.get_type_hints(bootstrap.create_app)["settings"]
    elif top == "stack":
        from stack.settings import StackSettings

        cls = StackSettings
    elif top == "console" and importlib.util.find_spec("console.settings"):
        cls = importlib.import_module("console.settings").ConsoleSettings
    elif top == "registry":  # argparse defaults read from the environment
        source = (ROOT / "registry" / "__main__.py").read_text()
        return "registry/__main__.py", set(re.findall(r"environ\.get\(\s*\"(\w+)\"", source))
    else:
        return None
    return cls.__name__, {name.upper() for name in cls.model_fields}


def _env_findings(service: ComposeService) -> Iterator[str]:
    modules = [m for m in (python_module(argv) for argv in service.commands) if m]
    if not modules or not service.environment:
        return
    known: set[str] = set()
    readers = []
    for module, _ in modules:
        found = settings_fields(module)
        if found is None:
            yield f"command python -m {module}: no known settings class: cannot check its env"
            return
        readers.append(found[0])
        known |= found[1]
    for name in sorted(set(service.environment) - known):
        yield f"environment.{name}: read by none of {', '.join(readers)}"


def _command_findings(service: ComposeService) -> Iterator[str]:
    for argv in service.commands:
        module = python_module(argv)
        if module is None:
            yield f"command {' '.join(argv)!r}: not `python -m module`, cannot check it"
            continue
        name, args = module
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            yield f"command: module {name!r} is not importable"
            continue
        if name == "stack":
            from stack.__main__ import build_parser

            try:
                build_parser().parse_args(args)
            except SystemExit:
                yield f"command: `python -m stack {' '.join(args)}` does not parse"


def _health_findings(compose: ComposeFile, service: ComposeService) -> Iterator[str]:
    probe = service.healthcheck
    if probe is None and not service.is_job:
        yield "healthcheck: missing (or disabled) on a service that keeps running"
    if probe and python_module(probe) and python_module(probe)[0] == "stack.probe":  # type: ignore[index]
        url_ports = re.findall(r"127\.0\.0\.1:(\d+)", " ".join(probe))
        served = {service.environment.get("OPS_PORT"), *map(str, service.spec.get("expose", []))}
        served |= set(re.findall(r"--port (\d+)", " ".join(sum(service.commands, []))))
        for port in url_ports:
            if port not in served:
                yield f"healthcheck: probes port {port}, which the service does not serve on"
    for target, condition in service.depends_on.items():
        other = compose.services.get(target)
        where = f"depends_on.{target}"
        if other is None:
            yield f"{where}: no such service"
        elif condition not in CONDITIONS:
            yield f"{where}: condition {condition!r} is not one of {CONDITIONS}"
        elif condition == "service_healthy" and other.healthcheck is None:
            yield f"{where}: waits for service_healthy, but {target} has no healthcheck"
        elif condition == "service_completed_successfully" and not other.is_job:
            yield f"{where}: waits for completion of {target}, which is restarted, never done"
    if service.built_here and not service.depends_on:
        yield "depends_on: none: it would start before what it needs answers"


def _image_findings(service: ComposeService, version: str) -> Iterator[str]:
    image = service.spec.get("image")
    if image is None:
        yield "image: missing: name and pin what runs"
        return
    image = str(image)
    tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else None
    if not PINNED.match(image) or (tag in (None, "latest") and "@sha256:" not in image):
        yield f"image: {image!r} is not pinned by tag or digest"
    if service.built_here and tag != version:
        yield f"image: {image!r}: our image is tagged with the project version {version!r}"


def _scaling_findings(service: ComposeService) -> Iterator[str]:
    if service.name not in SERVICES:
        return
    if "container_name" in service.spec:
        yield "container_name: a fixed name stops `docker compose up --scale`"
    for port in service.spec.get("ports") or []:
        host = str(port).rsplit(":", 1)[0] if ":" in str(port) else ""
        if host and "-" not in host.split(":")[-1]:
            yield f"ports: {port!r} binds a fixed host port: use a range or none to scale"


def _as_url(text: str) -> SplitResult | None:
    """`text` split as a URL, or None where urlsplit refuses it (an unclosed `[`, ...)."""
    try:
        url = urlsplit(text)
        url.hostname  # noqa: B018 - parses the bracketed host, which may refuse too
    except ValueError:
        return None
    return url


def _database_urls(service: ComposeService) -> Iterator[tuple[str, SplitResult]]:
    """(where, URL) of every PostgreSQL URL in the service's environment and command."""
    places = [(f"environment.{k}", v) for k, v in service.environment.items()]
    places += [("command", " ".join(argv)) for argv in service.commands]
    for where, text in places:
        for token in re.split(r"[\s,]+", text):
            url = _as_url(token)
            if url is not None and url.scheme in DATABASE_SCHEMES and url.hostname:
                yield where, url


def _state_findings(service: ComposeService) -> Iterator[str]:
    """Where a service keeps its state: in PostgreSQL, never on the container's disk."""
    urls = {where for where, _ in _database_urls(service)}
    if service.name in SERVICES and "environment.DATABASE_URL" not in urls:
        yield (
            "environment.DATABASE_URL: not a postgresql:// URL: each replica would keep its own "
            "SQLite file under DATA_DIR, and replicas (`--scale`) would share no state"
        )
    modules = [m for m in (python_module(argv) for argv in service.commands) if m]
    serves_registry = any(name == "registry" and args[:1] == ["serve"] for name, args in modules)
    if serves_registry and not urls & {"environment.REGISTRY_DATABASE_URL", "command"}:
        yield (
            "environment.REGISTRY_DATABASE_URL: unset (nor --database-url): the registry "
            "would keep the schemas in a SQLite file on the container's disk"
        )


def _database_findings(compose: ComposeFile, service: ComposeService) -> Iterator[str]:
    """A database URL naming a service of the file: waited for, with the login it creates."""
    for where, url in _database_urls(service):
        host = url.hostname or ""
        target = compose.services.get(host)
        if target is None:
            continue  # a database outside this file: nothing here to check it against
        if host not in compose.waits_for(service):
            yield (
                f"{where}: names {host}, which it does not wait for (depends_on, directly or "
                "through another service)"
            )
        env = target.environment
        if "POSTGRES_PASSWORD" not in env:
            continue
        user = env.get("POSTGRES_USER", "postgres")
        wanted = (user, env["POSTGRES_PASSWORD"], env.get("POSTGRES_DB", user))
        given = (unquote(url.username or ""), unquote(url.password or ""), url.path.lstrip("/"))
        for label, want, got in zip(("user", "password", "database"), wanted, given, strict=True):
            if want != got:
                shown = "" if label == "password" else f" {got!r}"
                yield (
                    f"{where}: {label}{shown} is not the one {host} creates "
                    f"(POSTGRES_{'DB' if label == 'database' else label.upper()})"
                )


def _ops_urls_findings(compose: ComposeFile, service: ComposeService) -> Iterator[str]:
    """OPS_URLS lists every service the file runs, and nothing it does not run."""
    if "OPS_URLS" not in service.environment:
        return
    entries = [u.strip() for u in service.environment["OPS_URLS"].split(",")]
    for entry in entries:
        if _as_url(entry) is None:
            yield f"environment.OPS_URLS: {entry!r} is not a URL"
    hosts = {url.hostname for url in map(_as_url, entries) if url is not None}
    missing = [s for s in SERVICES if s in compose.services and s not in hosts]
    if missing:
        yield (
            f"environment.OPS_URLS: does not name {', '.join(missing)}: make status and the "
            "console would not see it"
        )
    for host in sorted(h or "?" for h in hosts if h not in compose.services):
        yield f"environment.OPS_URLS: names {host}, which is no service of this file"


def _volume_findings(compose: ComposeFile) -> Iterator[str]:
    mounted = set()
    for service in compose.services.values():
        for mount in service.spec.get("volumes") or []:
            source = mount.get("source") if isinstance(mount, dict) else str(mount).split(":")[0]
            mounted.add(str(source))
    for name in sorted(compose.volumes - mounted):
        yield f"volumes.{name}: declared, but no service mounts it"


def _kafka_findings(compose: ComposeFile) -> Iterator[tuple[str, str]]:
    brokers = [
        s
        for s in compose.services.values()
        if "broker" in s.environment.get("KAFKA_PROCESS_ROLES", "")
    ]
    for broker in brokers:
        cluster_id = broker.environment.get("CLUSTER_ID")
        if cluster_id is None:
            yield broker.name, "environment.CLUSTER_ID: missing (KRaft storage cannot be formatted)"
            continue
        try:
            kafka_uuid(cluster_id)
        except ValueError as exc:
            yield broker.name, f"environment.CLUSTER_ID {cluster_id!r}: Kafka refuses it: {exc}"
    catalog = load_catalog()
    for service in compose.services.values():
        if not any(python_module(a) == ("stack", ["topics"]) for a in service.commands):
            continue
        override = service.environment.get("TOPIC_REPLICATION_FACTOR")
        factor = int(override) if override else catalog.replication_factor
        if brokers and factor > len(brokers):
            source = f"catalog {catalog.replication_factor}, TOPIC_REPLICATION_FACTOR"
            yield (
                service.name,
                f"topics get replication factor {factor} ({source} {override or 'unset'}) "
                f"but the file runs {len(brokers)} broker(s)",
            )


def check_compose(path: Path = COMPOSE_FILE) -> list[str]:
    compose = load_compose(path)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    findings = []
    for service in compose.services.values():
        rules = (
            _env_findings(service),
            _command_findings(service),
            _health_findings(compose, service),
            _image_findings(service, version),
            _scaling_findings(service),
            _state_findings(service),
            _database_findings(compose, service),
            _ops_urls_findings(compose, service),
        )
        for rule in rules:
            findings += [f"{path.name}: services.{service.name}.{f}" for f in rule]
    findings += [f"{path.name}: services.{name}.{f}" for name, f in _kafka_findings(compose)]
    findings += [f"{path.name}: {f}" for f in _volume_findings(compose)]
    return findings


def check_dockerfile(path: Path = DOCKERFILE) -> list[str]:
    lines = _instructions(path.read_text())
    found: list[str] = []
    stages = [i for i, (op, _) in enumerate(lines) if op == "FROM"]
    if not stages:
        return [f"{path.name}: no FROM"]
    for _, arg in (lines[i] for i in stages):
        image = arg.split()[0]
        if not PINNED.match(image) or ":" not in image or image.endswith(":latest"):
            found.append(f"{path.name}: FROM {image}: not pinned by tag or digest")
    final = lines[stages[-1] :]
    copied = {a.split()[0] for op, a in lines if op == "COPY" and not a.startswith("--")}
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for package in (p.rstrip("*") for p in include["packages"]["find"]["include"]):
        if package not in copied:
            found.append(f"{path.name}: COPY {package}: missing (a package of pyproject.toml)")
    installs = [i for i, (op, a) in enumerate(final) if op == "RUN" and "pip install -r" in a]
    sources = [i for i, (op, a) in enumerate(final) if op == "COPY" and "pyproject" not in a]
    if not installs or (sources and installs[0] > sources[0]):
        found.append(
            f"{path.name}: dependencies are not installed in a layer of their own before the "
            "sources are copied (every code change would reinstall them)"
        )
    users = [a.strip() for op, a in final if op == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        found.append(f"{path.name}: USER: the image runs as root")
    checks = [a for op, a in final if op == "HEALTHCHECK"]
    if not checks or checks[-1].strip().upper() == "NONE":
        found.append(f"{path.name}: HEALTHCHECK: missing")
    else:
        module = re.search(r'"-m",\s*"([\w.]+)"', checks[-1])
        if module is None or importlib.util.find_spec(module.group(1)) is None:
            found.append(f"{path.name}: HEALTHCHECK {checks[-1]!r}: command not importable")
    return found


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(
        r"\\\n", " ", "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    )
    out = []
    for line in joined.splitlines():
        if line.strip():
            op, _, arg = line.strip().partition(" ")
            out.append((op.upper(), arg.strip()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stack.deploy_check", description=__doc__)
    parser.add_argument("--compose", type=Path, default=COMPOSE_FILE)
    parser.add_argument("--dockerfile", type=Path, default=DOCKERFILE)
    args = parser.parse_args(argv)
    try:
        findings = check_compose(args.compose) + check_dockerfile(args.dockerfile)
    except (ComposeError, OSError) as exc:
        print(f"deploy_check: {exc}", file=sys.stderr)
        return 2
    for finding in findings:
        print(finding)
    print(
        f"deploy_check: {len(findings)} finding(s) in {args.compose.name}, {args.dockerfile.name}"
    )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
