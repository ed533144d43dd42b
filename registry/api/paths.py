"""Request paths as Confluent routes them.

Subjects containing `/` (sent as `%2F`, as Confluent clients do) are routable: servers decode
`%2F` into `/` before routing, so `/subjects/a%2Fb/versions` would not match
`/subjects/{subject}/versions`. `route_encoded_slashes` rebuilds the routing path from the raw one,
keeping `/` and `%` inside a segment encoded; `decode_segment` undoes that for a path parameter.
`strip_trailing_slash` makes `/config/` name the same resource as `/config`, as Jersey does.
"""

from __future__ import annotations

from urllib.parse import unquote, unquote_to_bytes

from starlette.types import Scope


def _encode(segment: str) -> str:
    return segment.replace("%", "%25").replace("/", "%2F")


def route_encoded_slashes(scope: Scope) -> Scope:
    """`scope` with `path` rebuilt from `raw_path` (unchanged when there is no raw path)."""
    raw = scope.get("raw_path")
    if not raw:
        return scope
    segments = (unquote_to_bytes(s).decode("utf-8", "replace") for s in raw.split(b"/"))
    path = "/".join(_encode(s) for s in segments)
    if path == scope["path"]:
        return scope
    return {**scope, "path": path}


def decode_segment(value: str) -> str:
    """A path parameter as the client meant it (inverse of the encoding above)."""
    return unquote(value) if "%" in value else value


def strip_trailing_slash(scope: Scope) -> Scope:
    """`scope` without one trailing `/` on its path (and raw path); `/` itself stays."""
    path: str = scope["path"]
    if len(path) < 2 or not path.endswith("/"):
        return scope
    stripped: Scope = {**scope, "path": path[:-1]}
    raw = scope.get("raw_path")
    if raw and len(raw) > 1 and raw.endswith(b"/"):
        stripped["raw_path"] = raw[:-1]
    return stripped
