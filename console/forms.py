"""Reading an HTML form post (application/x-www-form-urlencoded) with limits and clear errors."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

MAX_FORM_BYTES = 512 * 1024
MAX_FIELDS = 1000


class BadForm(Exception):
    """A form the console cannot read; `status` is 400 or 413, the message says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Form:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str, default: str = "") -> str:
        return next((v for k, v in self.pairs if k == name), default)

    def getall(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]


async def read_form(request: Request, max_bytes: int = MAX_FORM_BYTES) -> Form:
    """The posted form; a body over `max_bytes` is refused before it is all read."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", ""):
        raise BadForm(400, f"expected an HTML form (application/x-www-form-urlencoded), got {kind}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise BadForm(413, f"form larger than {max_bytes // 1024} KiB")
    try:
        text = body.decode("ascii")  # a urlencoded body is ASCII; its %-escapes carry UTF-8
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise BadForm(400, "form is not valid UTF-8 (or not urlencoded)") from None
    except ValueError as exc:  # too many fields
        raise BadForm(400, f"form not readable: {exc}") from None
    return Form(pairs)
