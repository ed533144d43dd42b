"""The operations endpoints of a service: `/health`, `/health/ready` and `/metrics`.

Served on OPS_HOST:OPS_PORT (0: any free port, the bound URL is logged and kept in `url`) by a
small threaded HTTP server beside the consumers, and mounted on a service's own HTTP API too
(`ops_routes.add_ops_routes`), so the order service answers them on its API port as well.

- `GET /health`: 200 while the instance is live, 503 when not; the body says everything
  (readiness, dependency checks, groups, assignments, counts).
- `GET /health/ready`: the same body, 200 only when ready (see `health.py`).
- `GET /metrics`: Prometheus text (OpenMetrics when the scraper asks for it).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from services.runtime.health import HealthMonitor


class Ops:
    """What the endpoints answer: the health monitor and the metrics registry of one app."""

    def __init__(self, monitor: HealthMonitor, registry: CollectorRegistry) -> None:
        self.monitor = monitor
        self.registry = registry
        self.url = ""
        self._server: ThreadingHTTPServer | None = None

    def answer(self, path: str, accept: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET of `path`."""
        if path in ("/health", "/health/ready"):
            report = self.monitor.report()
            ok = report["ready"] if path == "/health/ready" else report["live"]
            return 200 if ok else 503, "application/json", json.dumps(report).encode()
        if path == "/metrics":
            encoder, content_type = choose_encoder(accept)
            return 200, content_type, encoder(self.registry)
        return 404, "application/json", b'{"detail": "not found: /health, /health/ready, /metrics"}'

    def serve(self, host: str, port: int) -> str:
        """Serve on a daemon thread; returns the URL (with the real port when `port` is 0)."""
        ops = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # a client that sends nothing does not hold a thread for long

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                status, ctype, body = ops.answer(self.path.split("?")[0], self.headers["Accept"])
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:  # scrapes every few seconds: no log line
                pass

        server = ThreadingHTTPServer((host, port), Handler)
        server.daemon_threads = True
        self._server = server
        self.url = f"http://{host}:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, name="ops-http", daemon=True).start()
        return self.url

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
