"""One router per page; each asks its sources and renders one template."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from console.context import UNAVAILABLE
from console.sources.registry import RegistryError

T = TypeVar("T")
D = TypeVar("D")


def attempt(fn: Callable[[], T], default: D) -> tuple[T | D, str | None]:
    """`fn()`, or `default` and the reason its source did not answer: one source down must not
    take the whole page with it."""
    try:
        return fn(), None
    except (*UNAVAILABLE, RegistryError) as exc:
        return default, str(exc)
