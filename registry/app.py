"""Builds the FastAPI app: routers, Confluent-style errors, body limit and auth (`Guard`), and the
HTTP details of Confluent's server (`registry.api.http_compat`: trailing slash, media types)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dbkit import TransientDatabaseError, UnstorableValueError
from registry.api import compatibility, config, mode, schemas, subjects
from registry.api.http_compat import ConfluentHttp
from registry.api.models import RegistryJSONResponse
from registry.api.paths import route_encoded_slashes
from registry.auth import User, authenticate, may_request
from registry.errors import ErrorCode, RegistryError
from registry.limits import MAX_BODY_BYTES
from registry.metrics import RequestMetrics, RouteRecorder
from registry.service import Registry
from registry.storage import Storage

DEFAULT_MAX_BODY = MAX_BODY_BYTES
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})
log = logging.getLogger("registry")


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> RegistryJSONResponse:
    return RegistryJSONResponse(
        {"error_code": code, "message": message}, status_code=status, headers=headers
    )


class Guard:
    """ASGI middleware: basic auth (when users are configured) and a request body size limit."""

    def __init__(self, app: ASGIApp, users: dict[str, User], max_body: int) -> None:
        self.app = app
        self.users = users
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = route_encoded_slashes(scope)
        headers = {k.lower(): v for k, v in scope["headers"]}
        if self.users and scope["path"] != "/health":
            raw = headers.get(b"authorization")
            user = authenticate(self.users, raw.decode("latin-1") if raw else None)
            if user is None:
                response = _error(
                    401,
                    ErrorCode.UNAUTHORIZED,
                    "Unauthorized",
                    {"WWW-Authenticate": 'Basic realm="registry"'},
                )
                await response(scope, receive, send)
                return
            if not may_request(user, scope["method"], scope["path"]):
                await _error(403, ErrorCode.USER_DENIED, f"User '{user.name}' may only read")(
                    scope, receive, send
                )
                return
        length = headers.get(b"content-length")
        too_large = _error(
            413, ErrorCode.PAYLOAD_TOO_LARGE, f"Request body larger than {self.max_body} bytes"
        )
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await too_large(scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    errs = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errs):
        return 400, "Malformed JSON request body"
    if any(e.get("loc", ())[:1] == ("path",) for e in errs):
        return 404, "HTTP 404 Not Found"  # Jersey: a path parameter that does not convert
    parts = []
    for e in errs[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{loc or 'body'}: {e.get('msg')}")
    return 422, "Unprocessable entity: " + "; ".join(parts)


def create_app(
    data_dir: Path | None,
    users: dict[str, User] | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    database_url: str = "",
) -> FastAPI:
    """The registry over SQLite in `data_dir`, or over PostgreSQL at `database_url`."""
    app = FastAPI(
        title="Schema Registry",
        version="1.0.0",
        description="Confluent-compatible Schema Registry (AVRO).",
        default_response_class=RegistryJSONResponse,
        redirect_slashes=False,  # ConfluentHttp strips a trailing slash instead
    )
    app.state.registry = Registry(Storage(data_dir, database_url))
    for module in (subjects, schemas, config, compatibility, mode):
        app.include_router(module.router)

    @app.get("/", tags=["root"])
    def root() -> dict[str, Any]:
        return {}

    @app.get("/contexts", tags=["root"], response_model=list[str])
    def contexts() -> list[str]:
        return ["."]  # only the default context

    @app.get("/health", tags=["root"])
    async def health() -> dict[str, Any]:  # on the event loop: the benchmark's bare endpoint
        return {"status": "UP"}

    @app.exception_handler(RegistryError)
    async def registry_error(_: Request, exc: RegistryError) -> JSONResponse:
        return RegistryJSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(TransientDatabaseError)
    async def store_unavailable(_: Request, exc: TransientDatabaseError) -> JSONResponse:
        log.warning("store unavailable: %s", str(exc)[:300])
        return _error(503, ErrorCode.STORE_ERROR, "Error in the backend data store; retry")

    @app.exception_handler(UnstorableValueError)
    async def unstorable(_: Request, exc: UnstorableValueError) -> JSONResponse:
        return _error(422, ErrorCode.UNPROCESSABLE_ENTITY, f"Unprocessable entity: {exc}")

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, message = _validation_message(exc)
        return _error(status, status, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names one route's methods; name every route's
            documented = allowed_methods(app, request.scope["path"])
            headers["Allow"] = documented or headers.get("Allow", "")
        message = f"HTTP {exc.status_code} {exc.detail}"
        return _error(exc.status_code, exc.status_code, message, headers or None)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, ErrorCode.STORE_ERROR, f"Internal error: {type(exc).__name__}")

    docs = (app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    guarded = Guard(RouteRecorder(app), users or {}, max_body)
    return RequestMetrics(ConfluentHttp(guarded, [p for p in docs if p]))  # type: ignore[return-value]


def allowed_methods(app: FastAPI, path: str) -> str:
    """The `Allow` header of a 405: the methods the OpenAPI document declares for this path."""
    methods: set[str] = set()
    for template, operations in app.openapi()["paths"].items():
        segments = (
            "[^/]+" if s.startswith("{") and s.endswith("}") else re.escape(s)
            for s in template.split("/")
        )
        if re.fullmatch("/".join(segments), path):
            methods |= {m.upper() for m in operations if m.upper() in HTTP_METHODS}
    return ", ".join(sorted(methods))


def openapi_document(app: Any) -> dict[str, Any]:
    """The OpenAPI document of a `create_app` result (unwraps the middleware)."""
    while not isinstance(app, FastAPI):
        app = app.app
    return dict(json.loads(json.dumps(app.openapi())))
