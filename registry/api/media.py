"""Media types as Confluent's resources declare them (`@Produces` / `@Consumes`), and the choice
of a response type from a request's `Accept` header (RFC 9110 section 12.5.1, Jersey's order).

The response type is the served type with the highest client `q`, then the highest server `qs`
(v1 1.0, `vnd.schemaregistry+json` 0.9, `json` 0.5); a type with `q=0` is refused. No `Accept`
is `*/*`. A request body may be sent under any of the JSON types or `application/octet-stream`
(or without a `Content-Type`); it is always read as JSON.
"""

from __future__ import annotations

V1 = "application/vnd.schemaregistry.v1+json"
DEFAULT = "application/vnd.schemaregistry+json"
JSON = "application/json"
GENERIC_REQUEST = "application/octet-stream"

PRODUCES: tuple[tuple[str, float], ...] = ((V1, 1.0), (DEFAULT, 0.9), (JSON, 0.5))
CONSUMES = frozenset({V1, DEFAULT, JSON, GENERIC_REQUEST})


def _media_ranges(accept: str) -> list[tuple[str, str, float]]:
    """(type, subtype, q) of each well-formed range in an `Accept` header; others are skipped."""
    ranges = []
    for part in accept.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if media == "*":  # old Java clients send a bare `*`
            media = "*/*"
        kind, slash, subtype = media.partition("/")
        if not slash or not kind or not subtype:
            continue
        q: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = None
        if q is not None:
            ranges.append((kind, subtype, q))
    return ranges


def _q_for(media: str, ranges: list[tuple[str, str, float]]) -> float:
    """The `q` the most specific matching range gives `media` (0 when none matches)."""
    kind, _, subtype = media.partition("/")
    best: tuple[int, float] = (-1, 0.0)
    for r_kind, r_subtype, q in ranges:
        if (r_kind, r_subtype) == (kind, subtype):
            specificity = 2
        elif (r_kind, r_subtype) == (kind, "*"):
            specificity = 1
        elif (r_kind, r_subtype) == ("*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, q)
    return best[1]


def response_media_type(accept: str | None) -> str | None:
    """The type to answer in, or None when `Accept` allows none of them (406)."""
    if accept is None or not accept.strip():
        return V1
    ranges = _media_ranges(accept)
    chosen: tuple[tuple[float, float], str] | None = None
    for media, qs in PRODUCES:
        q = _q_for(media, ranges)
        if q > 0 and (chosen is None or (q, qs) > chosen[0]):
            chosen = ((q, qs), media)
    return chosen[1] if chosen else None


def request_media_type_ok(content_type: str | None) -> bool:
    """Whether a request body with this `Content-Type` is read (else 415)."""
    if content_type is None:
        return True
    media = content_type.split(";")[0].strip().lower()
    return not media or media in CONSUMES
