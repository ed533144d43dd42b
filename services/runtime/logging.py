"""structlog, configured once per process; loggers are bound with ids (event_id, topic, ...)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.contextvars import bind_contextvars, reset_contextvars
from structlog.types import EventDict


def configure_logging(service: str, fmt: str = "console", level: str = "INFO") -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )

    def add_service(_: object, __: str, event: EventDict) -> EventDict:
        event.setdefault("service", service)  # on every thread, not only where it was bound
        return event

    structlog.configure(
        processors=[
            add_service,
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def bind_message_context(correlation_id: object) -> dict[str, Any]:
    """Put the message's correlation id on every log line of this thread until
    `reset_message_context` (one key: it is paid on every message)."""
    return dict(bind_contextvars(correlation_id=str(correlation_id)))


def reset_message_context(tokens: dict[str, Any]) -> None:
    reset_contextvars(**tokens)


def get_logger(**bindings: object) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger().bind(**bindings)
