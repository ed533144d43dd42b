"""Who may use the console's mutating actions (place an order, redrive dead letters).

The default follows where the console listens.  On loopback (the embedded stack's
http://127.0.0.1:8080) only this machine reaches it, where `make dlq` and the order API already
allow the same actions without credentials, so they are on.  On any other address without
credentials they are off (read-only), so a console published by a deployment never lets the
network move messages or place orders by accident.  CONSOLE_BASIC_AUTH=user:password turns them
on behind HTTP basic auth; CONSOLE_READ_ONLY=true|false overrides the choice.

Every mutating form carries a per-process token and requests from another origin are refused,
so a web page elsewhere cannot drive a console on loopback through the user's browser.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field

from fastapi import Request

from console.settings import ConsoleSettings, is_loopback


class Refused(Exception):
    """A mutating request that is not allowed; `status` 401, 403."""

    def __init__(self, status: int, reason: str, challenge: bool = False) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.challenge = challenge  # answer with WWW-Authenticate (ask the browser to log in)


@dataclass(frozen=True)
class MutationPolicy:
    allowed: bool
    why: str  # shown on every page: why actions are on or off
    credentials: tuple[str, str] | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @classmethod
    def from_settings(cls, settings: ConsoleSettings) -> MutationPolicy:
        credentials = settings.credentials()
        host, _ = settings.bind()
        if settings.console_read_only:
            return cls(False, "read-only: CONSOLE_READ_ONLY=true")
        if credentials:
            return cls(True, "actions need the console's basic-auth login", credentials)
        if settings.console_read_only is False:
            return cls(True, "actions allowed to anyone who reaches the console")
        if is_loopback(host):
            return cls(True, f"actions allowed: the console listens on loopback ({host})")
        return cls(
            False,
            f"read-only: listening on {host} without CONSOLE_BASIC_AUTH "
            "(set credentials, or CONSOLE_READ_ONLY=false)",
        )

    def check(self, request: Request, form_token: str | None) -> None:
        """Raise `Refused` unless this request may change something."""
        if not self.allowed:
            raise Refused(403, f"this console is {self.why}")
        origin = request.headers.get("origin")
        if (
            origin
            and origin != "null"
            and origin.split("://", 1)[-1] != request.headers.get("host")
        ):
            raise Refused(403, f"request from another site ({origin[:100]}) refused")
        if self.credentials and not self._authenticated(request):
            raise Refused(401, "log in to use this action", challenge=True)
        if not form_token or not secrets.compare_digest(form_token, self.token):
            raise Refused(403, "the form is stale or not from this console: reload the page")

    def _authenticated(self, request: Request) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic" or self.credentials is None:
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        want_user, want_password = self.credentials
        return secrets.compare_digest(user.encode(), want_user.encode()) & secrets.compare_digest(
            password.encode(), want_password.encode()
        )
