"""`python -m services.order`: the HTTP API (uvicorn, on ORDER_API_URL's host and port) and the
order consumers in one process.  SIGINT/SIGTERM: uvicorn shuts down, then the consumers stop."""

from __future__ import annotations

import signal
import threading
from urllib.parse import urlsplit

import uvicorn

from services.order.api import create_api
from services.order.handlers import app
from services.runtime.logging import get_logger


def main() -> None:
    url = urlsplit(app.settings.order_api_url)
    host, port = url.hostname or "127.0.0.1", url.port or 8000
    server = uvicorn.Server(
        uvicorn.Config(create_api(app), host=host, port=port, log_level="warning", access_log=False)
    )

    def on_signal(*_: object) -> None:  # uvicorn re-raises the signal it caught after shutdown
        server.should_exit = True
        app.stop_event.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    app.start()
    log = get_logger()
    log.info("order API listening", url=f"http://{host}:{port}")

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


if __name__ == "__main__":
    main()
