"""A service's HTTP API served in the foreground (uvicorn) while its consumers run, and what every
service API answers alike.

SIGINT/SIGTERM: uvicorn shuts down, then the consumers stop.  A consumer thread that dies stops
the server too, so the process never serves HTTP while it has stopped consuming.
`allowed_methods` gives a 405 its `Allow` header (RFC 9110): the methods the API's own OpenAPI
document declares for the path, across every route (Starlette names only one route's).
"""

from __future__ import annotations

import re
import signal
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from services.runtime.logging import get_logger

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from services.runtime.app import ServiceApp


def serve_with_consumers(app: ServiceApp, api: ASGIApp, url: str) -> None:
    """Start `app`, serve `api` on `url`'s host and port until a signal, then stop `app`."""
    import uvicorn  # only the processes that serve HTTP pay for the import

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 8000
    server = uvicorn.Server(
        uvicorn.Config(api, host=host, port=port, log_level="warning", access_log=False)
    )

    def on_signal(*_: object) -> None:  # uvicorn re-raises the signal it caught after shutdown
        server.should_exit = True
        app.stop_event.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    app.start()
    log = get_logger()
    log.info(f"{app.name} API listening", url=f"http://{host}:{port}")

    def watch_consumers() -> None:
        while not app.stop_event.wait(1.0):
            if any(not loop.is_alive() for loop in app.loops):
                log.error("a consumer thread died; stopping")
                server.should_exit = True
                return

    threading.Thread(target=watch_consumers, name="watch-consumers", daemon=True).start()
    try:
        server.run()
    finally:
        app.stop()


HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


def allowed_methods(openapi: dict[str, Any], path: str) -> str:
    """The methods `openapi` declares for the paths matching `path`, as an `Allow` value."""
    methods: set[str] = set()
    for template, operations in openapi.get("paths", {}).items():
        segments = (
            "[^/]+" if s.startswith("{") and s.endswith("}") else re.escape(s)
            for s in template.split("/")
        )
        if re.fullmatch("/".join(segments), path):
            methods |= {m.upper() for m in operations if m.upper() in HTTP_METHODS}
    return ", ".join(sorted(methods))
