"""The console's FastAPI app: the pages' routers, static files, and errors as pages with reasons."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from importlib import resources

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from console.context import UNAVAILABLE, Console
from console.forms import BadForm
from console.pages import dlq, groups, orders, overview, schemas, topics
from console.security import Refused
from console.sources.registry import RegistryError


def create_app(console: Console) -> FastAPI:
    app = FastAPI(title="shop-events console", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = console
    static = resources.files("console") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for page in (overview, orders, topics, schemas, groups, dlq):
        app.include_router(page.router)

    @app.middleware("http")
    async def timing(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.started = time.monotonic()
        response = await call_next(request)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.get("/health", response_class=PlainTextResponse)
    def health() -> str:
        return "ok"

    def error_page(request: Request, status: int, reason: str, details: list[str]) -> Response:
        return console.render(
            request,
            "error.html",
            status,
            title=f"{status}",
            source="this console (the request was not served)",
            reason=reason,
            details=details,
        )

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        response = error_page(request, exc.status, exc.reason, [console.policy.why])
        if exc.challenge:
            response.headers["WWW-Authenticate"] = 'Basic realm="shop-events console"'
        return response

    @app.exception_handler(BadForm)
    async def bad_form(request: Request, exc: BadForm) -> Response:
        return error_page(request, exc.status, exc.reason, [])

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        details = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        ]
        return error_page(request, 422, "the request's parameters are not valid", details)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_page(request, exc.status_code, str(exc.detail), [])

    @app.exception_handler(RegistryError)
    async def registry_error(request: Request, exc: RegistryError) -> Response:
        status = exc.status if 400 <= exc.status < 500 else 502
        return error_page(request, status, f"registry: {exc.message}", [])

    for kind in UNAVAILABLE:

        @app.exception_handler(kind)
        async def unavailable(request: Request, exc: Exception) -> Response:
            return error_page(request, 503, f"unavailable: {exc}", [])

    return app
