"""`python -m console`: serve the operations console at CONSOLE_URL (default
http://127.0.0.1:8080), reading KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL and ORDER_API_URL."""

from __future__ import annotations

import argparse
import sys

import pydantic
import uvicorn

from console.app import create_app
from console.context import bootstrap
from console.settings import ConsoleSettings, SettingsError
from services.runtime.settings import setting_error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="console", description=__doc__)
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    args = parser.parse_args(argv)
    try:
        settings = ConsoleSettings()
        host, port = settings.bind()
        console = bootstrap(settings)
    except (SettingsError, pydantic.ValidationError) as exc:
        first = str(exc).splitlines()[0] if isinstance(exc, SettingsError) else setting_error(exc)
        print(f"console: {first}", file=sys.stderr)
        return 2
    print(f"console: http://{host}:{port} ({console.policy.why})", flush=True)
    uvicorn.run(create_app(console), host=host, port=port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
