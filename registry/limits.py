"""The limits of this registry, in one place (documented in registry/README.md, "Limits").

Schema shape limits (nesting depth, fields per record, union branches) are avrokit's
`SchemaLimits` defaults, so the gate refuses what the registry would. Everything past a limit is
answered with a 4xx naming it; nothing a client sends makes the process grow without bound.
"""

from __future__ import annotations

from collections.abc import Iterable

from avrokit import SchemaLimits

MIB = 1024 * 1024

MAX_BODY_BYTES = 4 * MIB  # request body (--max-body-bytes); larger: 413
SCHEMA_LIMITS = SchemaLimits()
MAX_SCHEMA_DEPTH = SCHEMA_LIMITS.max_depth  # nested JSON objects/arrays of one schema: 42291
MAX_FIELDS_PER_RECORD = SCHEMA_LIMITS.max_fields  # 42292
MAX_UNION_BRANCHES = SCHEMA_LIMITS.max_union_branches  # 42293
MAX_ERROR_MESSAGE_CHARS = 16_384  # an error message, or all `verbose` messages together
CACHE_MAX_BYTES = 64 * MIB  # the read cache's encoded responses, together
# Parsed schemas kept for compatibility checks, estimated at 30 bytes per byte of schema text
# (measured: a field-dense 1.2 MB schema keeps 36 MB once parsed).
PARSED_CACHE_MAX_BYTES = 256 * MIB
PARSED_BYTES_PER_TEXT_BYTE = 30


def truncate(message: str, budget: int = MAX_ERROR_MESSAGE_CHARS) -> str:
    """`message`, cut to at most `budget` characters with a note of how much was cut."""
    if len(message) <= budget:
        return message
    keep = budget - 64
    return f"{message[:keep]} ... ({len(message) - keep:,} more characters not shown)"


def fit_messages(messages: Iterable[str], total: int, budget: int) -> list[str]:
    """As many of the `total` `messages` (made lazily) as fit in `budget` characters, then a
    note counting the rest."""
    out: list[str] = []
    used = 0
    for message in messages:
        if used + len(message) > budget - 80:
            break
        out.append(message)
        used += len(message)
    if len(out) < total:
        out.append(f"... and {total - len(out):,} more not shown (limit {budget:,} characters)")
    return out
