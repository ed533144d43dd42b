"""`/health`, `/health/ready` and `/metrics` on a service's own FastAPI app (see ops.py).

No `from __future__ import annotations` here: FastAPI reads the endpoints' annotations at runtime.
"""

from collections.abc import Callable

from fastapi import FastAPI, Request, Response

from services.runtime.ops import Ops


def add_ops_routes(api: FastAPI, get_ops: Callable[[], Ops]) -> None:
    """Mount the ops endpoints (`get_ops`: the app's `Ops`, asked at each request)."""

    def route(path: str) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            status, ctype, body = get_ops().answer(path, request.headers.get("accept", ""))
            return Response(body, status_code=status, media_type=ctype)

        return endpoint

    for path in ("/health", "/health/ready", "/metrics"):
        api.add_api_route(path, route(path), methods=["GET"], include_in_schema=path == "/health")
