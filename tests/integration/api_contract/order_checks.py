"""Schemathesis hooks for the order API: a request its OpenAPI document declares valid may only
be refused because the order does not exist (404) or because its `Idempotency-Key` was already
used with another body (422 naming that header, as the Idempotency-Key draft says). Any other
refusal of a schema-valid request means the document and the server disagree.
"""

from __future__ import annotations

import schemathesis
from schemathesis import Case, CheckContext, Response


def _key_reused(body: dict) -> bool:
    errors = body.get("errors") or []
    return bool(errors) and all(e.get("field") == "header.Idempotency-Key" for e in errors)


@schemathesis.check
def refusals_name_state(ctx: CheckContext, response: Response, case: Case) -> None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    status = response.status_code
    if status < 300 or status >= 500:
        return
    try:
        body = response.json()
    except Exception:  # noqa: BLE001 - any unreadable refusal is a failure below
        body = {}
    if status == 404 and "not found" in str(body.get("detail", "")):
        return
    if status == 422 and _key_reused(body):
        return
    raise AssertionError(
        f"A request the document declares valid was refused: {status}: {response.text[:300]}"
    )
