"""ASGI middleware for the HTTP details Confluent's server (Jersey) has and FastAPI does not.

- A trailing slash names the same resource (`GET /config/` is `GET /config`), never a redirect.
- Content negotiation (`registry.api.media`): every API response, errors included, is sent in
  the type `Accept` asks for (406 when none can be served); a `POST`/`PUT` body under a type
  Confluent does not consume is refused with 415 before anything runs; an accepted body is read
  as JSON whatever JSON type (or `application/octet-stream`, or none) it came with.

It wraps the whole app (authentication included), so its answers come first; FastAPI's own
documentation routes (`exempt`) pass through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.api import media
from registry.api.paths import strip_trailing_slash
from registry.errors import ErrorCode


def _body(code: ErrorCode, reason: str) -> bytes:
    """Jersey's message for a status it answers itself, in Confluent's error body."""
    return json.dumps({"error_code": int(code), "message": f"HTTP {int(code)} {reason}"}).encode()


NOT_ACCEPTABLE = _body(ErrorCode.NOT_ACCEPTABLE, "Not Acceptable")
UNSUPPORTED = _body(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type")


class ConfluentHttp:
    def __init__(self, app: ASGIApp, exempt: Collection[str] = ()) -> None:
        self.app = app
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        scope = strip_trailing_slash(scope)
        headers = Headers(scope=scope)
        if scope["method"] in ("POST", "PUT"):
            if not media.request_media_type_ok(headers.get("content-type")):
                await _answer(send, 415, UNSUPPORTED)
                return
            scope = _as_json_body(scope)
        answer_as = media.response_media_type(headers.get("accept"))
        if answer_as is None:
            await _answer(send, 406, NOT_ACCEPTABLE)
            return

        async def send_as(message: Message) -> None:
            if message["type"] == "http.response.start" and answer_as != media.V1:
                response_headers = MutableHeaders(scope=message)
                if response_headers.get("content-type") == media.V1:
                    response_headers["content-type"] = answer_as
            await send(message)

        await self.app(scope, receive, send_as)


def _as_json_body(scope: Scope) -> Scope:
    """The request with `Content-Type: application/json`, so FastAPI reads its body as JSON."""
    raw = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-type"]
    return {**scope, "headers": [*raw, (b"content-type", media.JSON.encode())]}


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media.V1.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
