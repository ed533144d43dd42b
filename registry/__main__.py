"""`python -m registry serve --host H --port P (--data-dir D | --database-url URL) [--auth-file F]`.

With `--database-url postgresql://...` (or REGISTRY_DATABASE_URL) the schemas live in that
database's `registry` schema, and any number of registry processes may serve it at once."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import uvicorn

from registry.app import DEFAULT_MAX_BODY, create_app
from registry.auth import AuthFileError, load_users


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m registry")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the Schema Registry HTTP server")
    serve.add_argument("--host", default=os.environ.get("REGISTRY_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("REGISTRY_PORT", "8081")))
    serve.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("REGISTRY_DATA_DIR", ".registry-data"))
    )
    serve.add_argument(
        "--database-url",
        default=os.environ.get("REGISTRY_DATABASE_URL", ""),
        help="postgresql://... to keep the schemas in PostgreSQL instead of the data dir",
    )
    serve.add_argument(
        "--auth-file",
        type=Path,
        default=os.environ.get("REGISTRY_AUTH_FILE") or None,
        help="basic-auth users: JSON or 'user:password:role' lines (role readonly|readwrite)",
    )
    serve.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY)
    serve.add_argument("--log-level", default=os.environ.get("REGISTRY_LOG_LEVEL", "warning"))
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        users = load_users(Path(args.auth_file)) if args.auth_file else {}
    except AuthFileError as exc:  # one line naming the file and the key, no traceback
        print(f"registry: {exc}", file=sys.stderr)
        return 2
    app = create_app(args.data_dir, users, args.max_body_bytes, args.database_url)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
