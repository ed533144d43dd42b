"""Why a schema was refused: `InvalidSchema`, and `LimitExceeded` when it is too big to take."""

from __future__ import annotations


class InvalidSchema(ValueError):
    """The schema text is not a valid (strict) Avro schema; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LimitExceeded(InvalidSchema):
    """The schema is beyond one of `SchemaLimits`; `limit` names it (depth, fields,
    union_branches)."""

    def __init__(self, limit: str, reason: str) -> None:
        super().__init__(reason)
        self.limit = limit
