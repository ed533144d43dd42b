"""Schemathesis hooks for the registry: a request its OpenAPI document declares valid may only be
refused for a reason the document cannot express.

Those reasons are the stored state (a subject, version or schema that does not exist, a mode, a
reference, an incompatible history) and the Avro content of a schema text (42201). Every other
refusal of a schema-valid request - a redirect, Jersey's route-level 404, 405, 406, 415, a
validation 422, or 42202/42203/42204/42208 for a value the document allows - means the document
and the server disagree, and fails the run.
"""

from __future__ import annotations

import schemathesis
from schemathesis import Case, CheckContext, Response

STATE_OR_CONTENT = {
    40401, 40402, 40403, 40404, 40405, 40406, 40407, 40408, 40409,  # no such thing (now)
    409,  # incompatible with the subject's history
    42201,  # the schema text is not valid Avro (or its references do not resolve)
    42205,  # the mode forbids it, or an import id/version is taken
    42206,  # a live schema references the version
}  # fmt: skip


@schemathesis.check
def refusals_name_state_or_content(ctx: CheckContext, response: Response, case: Case) -> None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code < 300 or response.status_code >= 500:
        return
    try:
        code = response.json().get("error_code")
    except Exception:  # noqa: BLE001 - any unreadable refusal is a failure below
        code = None
    if code not in STATE_OR_CONTENT:
        raise AssertionError(
            f"A request the document declares valid was refused: {response.status_code} "
            f"error_code {code}: {response.text[:300]}"
        )
