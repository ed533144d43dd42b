"""The catalog checked against the code: each topic's owner and consumers in catalog.yaml must be
what the services declare (`app.publisher` / `app.subscriber`).

The declarations come from `python -m services.declarations`, run as a subprocess (as INTEROP runs
codegen), so the gate imports no service. Each mismatch is a LINT_CATALOG_MATCHES_SERVICES finding
at the catalog entry, naming the topic and the service.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from avrokit.catalog import Catalog
from avrokit.yamlfile import InputError
from gate.rules.lint import CATALOG_MATCHES_SERVICES

COMMAND = ("-m", "services.declarations")
MODULE_FILE = "services/declarations.py"


@dataclass(frozen=True)
class Mismatch:
    keys: tuple[str | int, ...]  # where in catalog.yaml
    message: str
    fix: str


def declared(root: Path) -> dict[str, Any] | None:
    """What the services declare, or None when this tree has no services to ask."""
    if not (root / MODULE_FILE).is_file():
        return None
    proc = subprocess.run(
        [sys.executable, *COMMAND], cwd=root, capture_output=True, text=True, timeout=120
    )
    last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    if proc.returncode != 0:
        raise InputError(f"python {' '.join(COMMAND)} failed: {last}")
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise InputError(f"python {' '.join(COMMAND)} printed no JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"python {' '.join(COMMAND)}: expected a JSON object of services")
    return data


def compare(
    topics: Mapping[str, tuple[str, Sequence[str]]],
    services: Mapping[str, Any],
    other_topics: Sequence[str] = (),
) -> list[Mismatch]:
    """`topics`: the catalog's topic -> (owner, consumers); `other_topics` exist but carry no
    owner (the dead letter queue). Owner = the one service that publishes the topic; consumers
    = the services that subscribe to it (any consumer group)."""
    publishers: dict[str, set[str]] = {}
    subscribers: dict[str, dict[str, list[str]]] = {}
    for service, decl in services.items():
        for topic in decl.get("publishes", []):
            publishers.setdefault(topic, set()).add(service)
        for sub in decl.get("subscribes", []):
            groups = subscribers.setdefault(sub["topic"], {}).setdefault(service, [])
            groups.append(sub["group"])
    out = []
    fix_consumers = "make the topic's consumers list what the services subscribe to"
    for name, (owner, consumers) in topics.items():
        keys: tuple[str | int, ...] = ("topics", name)
        writers = publishers.get(name, set())
        if writers != {owner}:
            who = ", ".join(sorted(writers)) or "no service"
            out.append(
                Mismatch(
                    (*keys, "owner"),
                    f"topic '{name}': the catalog's owner is '{owner}', but {who} publishes it",
                    "make the owner the one service that publishes the topic",
                )
            )
        readers = subscribers.get(name, {})
        for service in sorted(set(readers) - set(consumers)):
            named = ", ".join(sorted(readers[service]))
            out.append(
                Mismatch(
                    (*keys, "consumers"),
                    f"topic '{name}': service '{service}' subscribes to it (group {named}) but "
                    "the catalog does not list it as a consumer",
                    fix_consumers,
                )
            )
        for service in sorted(set(consumers) - set(readers)):
            out.append(
                Mismatch(
                    (*keys, "consumers"),
                    f"topic '{name}': the catalog lists service '{service}' as a consumer, but it "
                    "subscribes to no such topic",
                    fix_consumers,
                )
            )
    known = set(topics) | set(other_topics)
    for topic in sorted((set(publishers) | set(subscribers)) - known):
        users = sorted(publishers.get(topic, set()) | set(subscribers.get(topic, {})))
        out.append(
            Mismatch(
                ("topics",),
                f"topic '{topic}': service '{', '.join(users)}' uses it, but the catalog does not "
                "name it",
                "add the topic to the catalog (or remove it from the code)",
            )
        )
    return out


RULE = CATALOG_MATCHES_SERVICES


def compare_catalog(catalog: Catalog, services: Mapping[str, Any]) -> list[Mismatch]:
    topics = {name: (t.owner, t.consumers) for name, t in catalog.topics.items()}
    return compare(topics, services, [catalog.dlq_topic])
