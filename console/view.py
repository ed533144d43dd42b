"""Small formatting helpers the templates use: status colours, times, numbers, links."""

from __future__ import annotations

import datetime
import uuid
from typing import Any
from urllib.parse import quote, urlencode

from console.sources.orders import TERMINAL
from stack.trace import COLOURS

# The live trace's terminal colours, as CSS tones: one place decides what is good or bad news.
_ANSI_TONES = {"\033[32m": "ok", "\033[31m": "bad", "\033[33m": "warn", "\033[2m": "muted"}
EVENT_TONES = {t.__name__: _ANSI_TONES.get(code, "info") for t, code in COLOURS.items()}

STATUS_TONES = {
    "DELIVERED": "ok",
    "CANCELLED": "bad",
    "PAYMENT_FAILED": "bad",
    "INVENTORY_FAILED": "bad",
    "REFUNDED": "warn",
}
HEALTH_TONES = {"up": "ok", "stale": "warn", "down": "bad", "unknown": "muted"}


def status_tone(status: str | None) -> str:
    return STATUS_TONES.get(status or "", "info")


def event_tone(event_type: str) -> str:
    return EVENT_TONES.get(event_type, "info")


def health_tone(state: str) -> str:
    return HEALTH_TONES.get(state, "muted")


def when_ms(ms: int | None) -> str:
    """Epoch milliseconds as UTC time of day with milliseconds."""
    if ms is None or ms <= 0:
        return "-"
    at = datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC)
    return at.strftime("%H:%M:%S.%f")[:-3]


def when_iso(value: Any) -> str:
    """An ISO timestamp (or datetime) as UTC date and time with milliseconds."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return str(value)


def num(value: int | float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def short(value: Any, n: int = 8) -> str:
    return str(value)[:n]


def subject_href(subject: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"/schemas/{quote(subject, safe='')}" + (f"?{query}" if query else "")


def href(path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return path + (f"?{query}" if query else "")


def order_href(key: str) -> str:
    """The console page of the order a record's key names, if the key is an order id."""
    try:
        return f"/orders/{uuid.UUID(key)}" if len(key) == 36 else ""
    except ValueError:
        return ""


FILTERS = {
    "status_tone": status_tone,
    "event_tone": event_tone,
    "health_tone": health_tone,
    "when_ms": when_ms,
    "when_iso": when_iso,
    "num": num,
    "short": short,
}
GLOBALS = {
    "subject_href": subject_href,
    "href": href,
    "order_href": order_href,
    "TERMINAL": TERMINAL,
}
