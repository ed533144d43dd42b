"""The compose file as data: its services, their commands, environments and dependencies.

Shared by the static checks (`deploy_check.py`) and the compose-shaped run (`compose_run.py`), so
both read the file the same way: YAML anchors and merge keys resolved, commands split the way
compose splits them (a string is split shell-like; `sh -c "a && b"` holds two commands).
"""

from __future__ import annotations

import base64
import binascii
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


class ComposeError(ValueError):
    """The compose file cannot be read; the message names the file and the key."""


@dataclass(frozen=True)
class ComposeService:
    name: str
    spec: dict[str, Any]

    @property
    def environment(self) -> dict[str, str]:
        env = self.spec.get("environment") or {}
        if isinstance(env, list):  # ["A=1", "B"] form
            env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
        return {str(k): "" if v is None else str(v) for k, v in env.items()}

    @property
    def commands(self) -> list[list[str]]:
        """Each command the container runs: `sh -c "a && b"` gives [a, b]."""
        raw = self.spec.get("command")
        if raw is None:
            return []
        argv = shlex.split(raw) if isinstance(raw, str) else [str(a) for a in raw]
        if argv[:2] == ["sh", "-c"] and len(argv) == 3:
            script = argv[2].replace("&&", ";")
            return [shlex.split(part) for part in script.split(";") if part.strip()]
        return [argv]

    @property
    def depends_on(self) -> dict[str, str]:
        """{service: condition}; the short list form means service_started."""
        deps = self.spec.get("depends_on") or {}
        if isinstance(deps, list):
            return {str(d): "service_started" for d in deps}
        return {str(k): str((v or {}).get("condition", "service_started")) for k, v in deps.items()}

    @property
    def healthcheck(self) -> list[str] | None:
        """The healthcheck command as argv (CMD form), or None when disabled or absent."""
        check = self.spec.get("healthcheck") or {}
        if check.get("disable") or "test" not in check:
            return None
        test = check["test"]
        if isinstance(test, str):
            return ["sh", "-c", test]
        if test[0] == "CMD":
            return [str(a) for a in test[1:]]
        if test[0] == "CMD-SHELL":
            return ["sh", "-c", str(test[1])]
        return None

    @property
    def is_job(self) -> bool:
        """A one-shot container (runs to completion, never restarted)."""
        return str(self.spec.get("restart", "no")) == "no"

    @property
    def built_here(self) -> bool:
        return "build" in self.spec


@dataclass(frozen=True)
class ComposeFile:
    path: Path
    services: dict[str, ComposeService]
    volumes: set[str] = field(default_factory=set)

    def started_by_default(self) -> list[ComposeService]:
        """What `docker compose up` starts (services in a profile only on demand)."""
        return [s for s in self.services.values() if not s.spec.get("profiles")]

    def waits_for(self, service: ComposeService) -> set[str]:
        """Every service `service` starts after: its depends_on, theirs, and so on."""
        found: set[str] = set()
        todo = list(service.depends_on)
        while todo:
            name = todo.pop()
            if name not in found and name in self.services:
                found.add(name)
                todo += self.services[name].depends_on
        return found


def load_compose(path: Path = COMPOSE_FILE) -> ComposeFile:
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())  # one line, however YAML words it
        raise ComposeError(f"{path}: cannot read it as YAML: {reason}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("services"), dict):
        raise ComposeError(f"{path}: services: expected a mapping of service names")
    services = {}
    for name, spec in raw["services"].items():
        if not isinstance(spec, dict):
            raise ComposeError(f"{path}: services.{name}: expected a mapping")
        services[str(name)] = ComposeService(str(name), spec)
    return ComposeFile(path, services, set(raw.get("volumes") or {}))


def python_module(argv: list[str]) -> tuple[str, list[str]] | None:
    """("pkg.mod", args) for `python -m pkg.mod args...`, else None."""
    if len(argv) >= 3 and argv[0] in ("python", "python3") and argv[1] == "-m":
        return argv[2], argv[3:]
    return None


def kafka_uuid(text: str) -> bytes:
    """The 16 bytes Kafka's `Uuid.fromString` reads from `text`, or ValueError as Kafka refuses.

    Kafka (and `kafka-storage format -t`) takes at most 24 characters, decodes them with Java's
    base64 URL decoder (alphabet A-Z a-z 0-9 - _, optional '=' padding, no other character) and
    needs exactly 16 bytes; the all-zero id and 1 (the metadata topic's id) are reserved.
    """
    if len(text) > 24:
        raise ValueError(f"{len(text)} characters: too long to be decoded as a base64 UUID")
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    body = text.rstrip("=")
    if not body or set(body) - alphabet or len(text) - len(body) > 2:
        raise ValueError("not base64url (A-Z a-z 0-9 - _, at most two '=')")
    if len(body) % 4 == 1:
        raise ValueError("a base64 length no bytes decode to")
    try:
        decoded = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None
    if len(decoded) != 16:
        raise ValueError(f"decodes to {len(decoded)} bytes, not the 16 of a UUID")
    if decoded in (bytes(16), bytes(15) + b"\x01"):
        raise ValueError("a reserved UUID (zero or the metadata topic id)")
    return decoded
