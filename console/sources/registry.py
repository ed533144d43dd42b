"""The Schema Registry through its REST API (Confluent's), as the console needs it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryUnavailable(Exception):
    """No usable answer from the registry."""


class RegistryError(Exception):
    """The registry answered with an error (`status`, Confluent `error_code`, its message)."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SchemaVersion:
    subject: str
    version: int
    schema_id: int
    schema: str
    references: list[dict[str, Any]] = field(default_factory=list)
    schema_type: str = "AVRO"


@dataclass(frozen=True)
class CheckResult:
    compatible: bool | None  # None: the candidate was refused before any comparison
    messages: list[str]
    level: str
    against: str


def _reference(ref: Any) -> dict[str, Any]:
    """A reference as {name, subject, version}, whatever a registry sent."""
    ref = ref if isinstance(ref, dict) else {}
    version = ref.get("version")
    return {
        "name": str(ref.get("name", "?")),
        "subject": str(ref.get("subject", "?")),
        "version": version if isinstance(version, int) else -1,
    }


def subject_path(subject: str) -> str:
    return quote(subject, safe="")


class RegistrySource:
    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.url, timeout=timeout_s, headers={"Accept": CONTENT_TYPE}
        )
        self._id_versions: dict[int, tuple[float, list[tuple[str, int]]]] = {}
        self._lock = threading.Lock()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(f"registry {self.url}: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            if isinstance(body, dict):
                code = body.get("error_code")
                message = str(body.get("message", response.text))
                raise RegistryError(response.status_code, code, message)
            raise RegistryError(response.status_code, None, response.text[:500])
        return body

    def subjects(self) -> list[str]:
        return sorted(self._request("GET", "/subjects"))

    def versions(self, subject: str) -> list[int]:
        return list(self._request("GET", f"/subjects/{subject_path(subject)}/versions"))

    def version(self, subject: str, version: int | str) -> SchemaVersion:
        body = self._request("GET", f"/subjects/{subject_path(subject)}/versions/{version}")
        return SchemaVersion(
            subject=body["subject"],
            version=int(body["version"]),
            schema_id=int(body["id"]),
            schema=body["schema"],
            references=[_reference(r) for r in body.get("references") or []],
            schema_type=body.get("schemaType", "AVRO"),
        )

    def level(self, subject: str | None = None) -> tuple[str, bool]:
        """The compatibility level in force and whether it is the subject's own setting."""
        if subject is not None:
            try:
                body = self._request("GET", f"/config/{subject_path(subject)}")
                return str(body["compatibilityLevel"]), True
            except RegistryError as exc:
                if exc.status != 404:
                    raise
        return str(self._request("GET", "/config")["compatibilityLevel"]), False

    def referenced_by(self, subject: str, version: int) -> list[int]:
        path = f"/subjects/{subject_path(subject)}/versions/{version}/referencedby"
        return list(self._request("GET", path))

    def subject_versions_of(self, schema_id: int) -> list[tuple[str, int]]:
        """(subject, version) pairs that use schema `schema_id` (cached for a minute)."""
        with self._lock:
            cached = self._id_versions.get(schema_id)
        if cached and time.monotonic() - cached[0] < 60:
            return cached[1]
        body = self._request("GET", f"/schemas/ids/{schema_id}/versions")
        pairs = [(str(v["subject"]), int(v["version"])) for v in body]
        with self._lock:
            self._id_versions[schema_id] = (time.monotonic(), pairs)
        return pairs

    def check(self, subject: str, schema: str, against: str = "latest") -> CheckResult:
        """Test `schema` against the latest version (`latest`), or every version the subject's
        level compares with (`all`), asking for the registry's verbose reasons."""
        level, _ = self.level(subject)
        path = f"/compatibility/subjects/{subject_path(subject)}/versions"
        path += "/latest" if against == "latest" else ""
        try:
            body = self._request(
                "POST",
                path,
                params={"verbose": "true"},
                json={"schema": schema, "schemaType": "AVRO"},
                headers={"Content-Type": CONTENT_TYPE},
            )
        except RegistryError as exc:
            if exc.status == 422 or exc.code in (42201, 422):  # the candidate itself is invalid
                return CheckResult(None, [exc.message], level, against)
            raise
        messages = [str(m) for m in body.get("messages") or []]
        return CheckResult(bool(body.get("is_compatible")), messages, level, against)
