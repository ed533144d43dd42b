"""The console's settings: the addresses every process reads, plus who may change things."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

from services.runtime.settings import Settings
from stack.health import OpsUrls


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


class ConsoleSettings(Settings):
    # true: no mutating action at all; false: allowed (with CONSOLE_BASIC_AUTH if set);
    # unset: allowed only when the console listens on loopback or has credentials (see security).
    console_read_only: bool | None = None
    console_basic_auth: str | None = None  # "user:password" guarding place-order and redrive
    console_max_redrives: int = 3
    # the services' /health base URLs, comma-separated; unset: the embedded stack's own list
    ops_urls: OpsUrls = ""

    def bind(self) -> tuple[str, int]:
        """Host and port to listen on, from CONSOLE_URL."""
        parsed = urlparse(self.console_url)
        try:
            port = parsed.port
        except ValueError as exc:
            raise SettingsError(f"CONSOLE_URL {self.console_url!r}: {exc}") from None
        if parsed.scheme != "http" or not parsed.hostname:
            raise SettingsError(
                f"CONSOLE_URL {self.console_url!r}: expected http://HOST:PORT, e.g. "
                "http://127.0.0.1:8080"
            )
        return parsed.hostname, port or 80

    def credentials(self) -> tuple[str, str] | None:
        if not self.console_basic_auth:
            return None
        user, sep, password = self.console_basic_auth.partition(":")
        if not sep or not user or not password:
            raise SettingsError("CONSOLE_BASIC_AUTH: expected user:password, both non-empty")
        return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
