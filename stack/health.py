"""Reading the services' own `/health` and `/metrics`, wherever they run.

One home for it: `make status`, the embedded stack (readiness), the tests and the console all ask
the services over HTTP through here; nothing reads health from local disk.  Where the services
are: `OPS_URLS` (comma-separated base URLs, e.g. `http://payment:9000,http://order:8000`; a host
name that resolves to several addresses, as a scaled compose service does, stands for each of
them), else the list the embedded stack keeps in `<root>/run/ops.json` while it runs.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pydantic
from prometheus_client.parser import text_string_to_metric_families

OPS_FILE = "ops.json"  # {instance name: base URL}, written by the embedded stack


def check_ops_urls(listed: str) -> str:
    """`listed` (OPS_URLS) unchanged if every entry is an http(s) base URL with a host."""
    for entry in (u.strip() for u in listed.split(",")):
        if not entry:
            continue
        try:
            url = urlsplit(entry)
            usable = url.scheme in ("http", "https") and bool(url.hostname)
            url.port  # noqa: B018 - refuses a port that is not a number
        except ValueError:
            usable = False
        if not usable:
            raise ValueError(f"{entry[:200]!r} is not a base URL like http://payment:9000")
    return listed


# A settings field holding OPS_URLS: a bad entry stops the program with one line naming it.
OpsUrls = Annotated[str, pydantic.AfterValidator(check_ops_urls)]


def ops_urls(root: Path, listed: str = "") -> list[str]:
    """The services' ops base URLs: `listed` (OPS_URLS) if set, else the embedded stack's list."""
    if listed.strip():
        return [u.strip().rstrip("/") for u in listed.split(",") if u.strip()]
    path = root / "run" / OPS_FILE
    try:
        known = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return []
    return [str(u) for u in known.values()] if isinstance(known, dict) else []


def write_ops_file(root: Path, urls: dict[str, str]) -> None:
    path = root / "run" / OPS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(urls, indent=2))
    tmp.replace(path)


def expand(urls: Iterable[str]) -> list[str]:
    """Each URL once per IPv4 address its host resolves to (every replica of a scaled service)."""
    out: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
        try:
            infos = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
            addresses = sorted({str(info[4][0]) for info in infos})
        except OSError:
            addresses = []
        if len(addresses) <= 1:
            out.append(url)
            continue
        for address in addresses:
            out.append(urlunsplit(parts._replace(netloc=f"{address}:{port}")))
    return list(dict.fromkeys(out))


def fetch_health(url: str, timeout_s: float = 3.0) -> dict[str, Any]:
    """The instance's `/health` body plus `url`; `reachable: False` and `error` when it does not
    answer with one (a down instance is a result, not an exception)."""
    try:
        response = httpx.get(f"{url}/health", timeout=timeout_s)
        body = response.json()
        if not isinstance(body, dict) or "service" not in body:
            raise ValueError(f"HTTP {response.status_code}: not a service health body")
    except (httpx.HTTPError, ValueError) as exc:
        return {"url": url, "reachable": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
    return {**body, "url": url, "reachable": True, "fetched": time.time()}


Samples = dict[str, list[tuple[dict[str, str], float]]]  # sample name -> (labels, value) pairs


def fetch_metrics(url: str, timeout_s: float = 3.0) -> Samples:
    """The instance's metric samples by sample name ({} when it does not answer)."""
    try:
        response = httpx.get(f"{url}/metrics", timeout=timeout_s)
        response.raise_for_status()
        families = list(text_string_to_metric_families(response.text))
    except (httpx.HTTPError, ValueError):
        return {}
    samples: Samples = {}
    for family in families:
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return samples


def service_health(urls: Iterable[str]) -> list[dict[str, Any]]:
    """`fetch_health` of every instance (replicas expanded), asked in parallel, in URL order."""
    targets = expand(urls)
    if not targets:
        return []
    with ThreadPoolExecutor(min(8, len(targets))) as pool:
        return list(pool.map(fetch_health, targets))


def wait_ready(urls: Iterable[str], timeout_s: float) -> list[dict[str, Any]]:
    """Poll until every instance answers `/health` as ready; raise naming those that are not."""
    targets = list(urls)
    deadline = time.monotonic() + timeout_s
    healths: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        healths = service_health(targets)
        if healths and all(h.get("ready") for h in healths):
            return healths
        time.sleep(0.5)
    waiting = [
        f"{h.get('service', h['url'])}: {h.get('not_ready') or h.get('error')}"
        for h in healths
        if not h.get("ready")
    ]
    raise RuntimeError(f"not ready after {timeout_s:.0f}s: {waiting}")
