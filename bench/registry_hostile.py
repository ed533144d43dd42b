"""The registry under hostile requests: time and peak memory of the requests that once cost
gigabytes or blocked every writer (issue "the registry under hostile input", points 1, 2 and 8).

Each scenario starts its own registry process on a temporary data dir, sends the same requests
whatever the code answers, and reports status codes, response sizes, seconds and the process's
resident memory before and at its peak (`VmHWM` from /proc, Linux only). Run it against another
checkout (e.g. the code before a fix) with `--source DIR`:

    python -m bench.registry_hostile [--source DIR] [--out FILE] [--scenario NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from stack.process import ManagedProcess, free_port, http_ok, python_module

CT = "application/vnd.schemaregistry.v1+json"
MB = 1024 * 1024


def _rss_mb(pid: int, key: str) -> float:
    """`VmRSS` (now) or `VmHWM` (peak) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return -1.0


@contextmanager
def _registry(source: Path | None, *args: str) -> Iterator[tuple[httpx.Client, int]]:
    with tempfile.TemporaryDirectory(prefix="registry-hostile-") as tmp:
        port = free_port()
        argv = python_module(
            "registry", "serve", "--port", str(port), "--data-dir", str(Path(tmp) / "data"), *args
        )
        env = {"PYTHONPATH": str(source)} if source else None
        proc = ManagedProcess(
            "registry",
            argv,
            lambda: http_ok(f"http://127.0.0.1:{port}/health"),
            Path(tmp) / "registry.log",
            env=env,
            cwd=source,
        ).start()
        assert proc.pid is not None
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers={"Content-Type": CT}, timeout=600
            ) as client:
                client.get("/subjects").raise_for_status()  # warm up before measuring
                yield client, proc.pid
        finally:
            proc.stop()


def _timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = call()
    return response, round(time.perf_counter() - started, 3)


def _record(name: str, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": fields, **extra}


def deep_error_message(source: Path | None) -> dict[str, Any]:
    """Point 1: a leaf record with a 300 KB doc wrapped in 200 nested records, checked for
    compatibility (the error message once repeated the text of every level)."""
    schema: dict[str, Any] = _record("Leaf", [{"name": "x", "type": "int"}], doc="d" * 300_000)
    for i in range(200):
        schema = _record(f"R{i}", [{"name": "f", "type": schema}])
    body = json.dumps({"schema": json.dumps(schema)})
    with _registry(source) as (client, pid):
        before = _rss_mb(pid, "VmRSS")
        r, seconds = _timed(lambda: client.post("/compatibility/subjects/x/versions", content=body))
        return {
            "request_bytes": len(body),
            "status": r.status_code,
            "error_code": _error_code(r),
            "response_bytes": len(r.content),
            "seconds": seconds,
            "rss_before_mb": before,
            "peak_rss_mb": _rss_mb(pid, "VmHWM"),
        }


def padded_versions(source: Path | None) -> dict[str, Any]:
    """Point 2: a 5 MB schema registered, then 200 GETs of version 1 spelled `1`, `01`, `001`...
    (the read cache once kept one copy per spelling). The body limit is raised to 16 MiB (the
    old default) so that the same schema is accepted."""
    schema = _record("Big", [{"name": "x", "type": "int"}], doc="d" * (5 * MB))
    with _registry(source, "--max-body-bytes", str(16 * MB)) as (client, pid):
        client.post("/subjects/big/versions", json={"schema": json.dumps(schema)})
        client.get("/subjects/big/versions/1").raise_for_status()
        before = _rss_mb(pid, "VmRSS")
        statuses: dict[int, int] = {}
        started = time.perf_counter()
        for i in range(200):
            r = client.get(f"/subjects/big/versions/{'0' * i}1")
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        return {
            "requests": 200,
            "statuses": statuses,
            "seconds": round(time.perf_counter() - started, 3),
            "rss_before_mb": before,
            "rss_after_mb": _rss_mb(pid, "VmRSS"),
            "peak_rss_mb": _rss_mb(pid, "VmHWM"),
        }


def _wide_record(n_fields: int) -> str:
    return json.dumps(_record("Wide", [{"name": f"f{i}", "type": "int"} for i in range(n_fields)]))


def slow_writer(source: Path | None, n_fields: int = 50_000) -> dict[str, Any]:
    """Point 8: a one-field registration on another subject while a `n_fields`-field record is
    being registered (parsing once happened inside the one write lock)."""
    wide = {"schema": _wide_record(n_fields)}
    small = {"schema": json.dumps(_record("Small", [{"name": "x", "type": "int"}]))}
    with _registry(source) as (client, pid):
        before = _rss_mb(pid, "VmRSS")
        out: dict[str, Any] = {}

        def register_wide() -> None:
            r, out["wide_seconds"] = _timed(lambda: client.post("/subjects/w/versions", json=wide))
            out["wide_status"], out["wide_error_code"] = r.status_code, _error_code(r)

        worker = threading.Thread(target=register_wide)
        worker.start()
        time.sleep(0.3)  # the wide request is being handled
        r, out["small_seconds"] = _timed(lambda: client.post("/subjects/s/versions", json=small))
        out["small_status"] = r.status_code
        worker.join()
        return {
            "fields": n_fields,
            **out,
            "rss_before_mb": before,
            "peak_rss_mb": _rss_mb(pid, "VmHWM"),
        }


def wide_union(source: Path | None, branches: int = 10_000) -> dict[str, Any]:
    """Point 8: a field whose type is a union of `branches` records, registered, then a new
    version (one more field with a default) and a compatibility check on that subject."""
    union = [_record(f"B{i}", [{"name": "x", "type": "int"}]) for i in range(branches)]
    v1 = _record("U", [{"name": "u", "type": union}])
    v2 = dict(v1, fields=[*v1["fields"], {"name": "y", "type": "int", "default": 0}])
    with _registry(source) as (client, pid):
        before = _rss_mb(pid, "VmRSS")
        r1, t1 = _timed(
            lambda: client.post("/subjects/u/versions", json={"schema": json.dumps(v1)})
        )
        r2, t2 = _timed(
            lambda: client.post(
                "/compatibility/subjects/u/versions", json={"schema": json.dumps(v2)}
            )
        )
        r3, t3 = _timed(
            lambda: client.post("/subjects/u/versions", json={"schema": json.dumps(v2)})
        )
        return {
            "branches": branches,
            "register": {"status": r1.status_code, "error_code": _error_code(r1), "seconds": t1},
            "check": {"status": r2.status_code, "seconds": t2, "body": r2.text[:200]},
            "new_version": {"status": r3.status_code, "seconds": t3},
            "rss_before_mb": before,
            "peak_rss_mb": _rss_mb(pid, "VmHWM"),
        }


_UNION_CHECK = """
import inspect, json, sys, time
from avrokit import CompatibilityLevel, check_compatibility, parse_schema
unlimited = {"limits": None} if "limits" in inspect.signature(parse_schema).parameters else {}
out = {}
for n in map(int, sys.argv[1:]):
    def union(count):
        fields = [{"name": "x", "type": "int"}]
        branches = [{"type": "record", "name": f"B{i}", "fields": fields} for i in range(count)]
        field = {"name": "u", "type": branches}
        return json.dumps({"type": "record", "name": "U", "fields": [field]})
    old, new = parse_schema(union(n), **unlimited), parse_schema(union(n + 1), **unlimited)
    started = time.perf_counter()
    found = check_compatibility(new, [(1, old)], CompatibilityLevel.FULL)
    out[n] = {"seconds": round(time.perf_counter() - started, 3), "findings": len(found)}
print(json.dumps(out))
"""


def union_check_scaling(source: Path | None) -> dict[str, Any]:
    """Point 8, the check alone (in a process of its own, no registry limits): FULL
    compatibility of a union of n records against one of n+1, for growing n. Linear checks take
    about 10x the time for 10x the branches; the scan they replace took about 100x."""
    sizes = ("1000", "3000", "10000")
    env = {**os.environ, "PYTHONPATH": str(source)} if source else None
    done = subprocess.run(  # noqa: S603 - our own interpreter and snippet
        [sys.executable, "-c", _UNION_CHECK, *sizes],
        capture_output=True,
        text=True,
        check=True,
        cwd=source,
        env=env,
        timeout=1200,
    )
    return {"union_branches": json.loads(done.stdout)}


def _error_code(r: httpx.Response) -> int | None:
    try:
        body = r.json()
    except ValueError:
        return None
    return body.get("error_code") if isinstance(body, dict) else None


SCENARIOS: dict[str, Callable[[Path | None], dict[str, Any]]] = {
    "deep_error_message": deep_error_message,
    "padded_versions": padded_versions,
    "slow_writer_50k_fields": slow_writer,
    "slow_writer_10k_fields": lambda source: slow_writer(source, 10_000),
    "wide_union_10k": wide_union,
    "wide_union_1k": lambda source: wide_union(source, 1_000),
    "union_check_scaling": union_check_scaling,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.registry_hostile")
    parser.add_argument("--source", type=Path, help="checkout whose registry to run")
    parser.add_argument("--out", type=Path, help="also write the results (JSON) here")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    args = parser.parse_args(argv)
    source = args.source.resolve() if args.source else None
    results: dict[str, Any] = {"source": str(source or "this checkout"), "scenarios": {}}
    for name in args.scenario or list(SCENARIOS):
        print(f"{name} ...", file=sys.stderr, flush=True)
        results["scenarios"][name] = SCENARIOS[name](source)
        print(json.dumps(results["scenarios"][name]), file=sys.stderr, flush=True)
    text = json.dumps(results, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
