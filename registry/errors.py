"""Every REST API error: Confluent's `error_code` values in one enum (Karapace style)."""

from __future__ import annotations

from enum import IntEnum
from http import HTTPStatus

from avrokit import InvalidSchema, LimitExceeded
from registry.limits import truncate


class ErrorCode(IntEnum):
    # Plain HTTP codes, used as error_code where Confluent does the same.
    BAD_REQUEST = 400
    UNAUTHORIZED = 401
    FORBIDDEN = 403
    NOT_FOUND = 404
    METHOD_NOT_ALLOWED = 405
    INCOMPATIBLE_SCHEMA = 409
    PAYLOAD_TOO_LARGE = 413
    UNSUPPORTED_MEDIA_TYPE = 415
    UNPROCESSABLE_ENTITY = 422
    INTERNAL_SERVER_ERROR = 500
    # 403xx
    USER_DENIED = 40301
    # 404xx
    SUBJECT_NOT_FOUND = 40401
    VERSION_NOT_FOUND = 40402
    SCHEMA_NOT_FOUND = 40403
    SUBJECT_SOFT_DELETED = 40404
    SUBJECT_NOT_SOFT_DELETED = 40405
    SCHEMAVERSION_SOFT_DELETED = 40406
    SCHEMAVERSION_NOT_SOFT_DELETED = 40407
    SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408
    SUBJECT_LEVEL_MODE_NOT_CONFIGURED = 40409
    # 422xx
    INVALID_SCHEMA = 42201
    INVALID_VERSION_ID = 42202
    INVALID_COMPATIBILITY_LEVEL = 42203
    INVALID_MODE = 42204
    OPERATION_NOT_PERMITTED = 42205
    REFERENCE_EXISTS = 42206
    INVALID_SUBJECT = 42208
    SCHEMA_TOO_LARGE = 42209
    # 4229x: this registry's limits (registry/limits.py), past which a schema is refused
    SCHEMA_NESTING_TOO_DEEP = 42291
    TOO_MANY_FIELDS = 42292
    TOO_MANY_UNION_BRANCHES = 42293
    # 500xx
    STORE_ERROR = 50001
    OPERATION_TIMEOUT = 50002
    FORWARDING_ERROR = 50003
    # Added later (kept at the end so that concurrent additions merge cleanly).
    NOT_ACCEPTABLE = 406

    @property
    def http_status(self) -> int:
        """The HTTP status that goes with this code (the first three digits)."""
        return self.value if self.value < 1000 else self.value // 100


class RegistryError(Exception):
    """An API error: rendered as `{"error_code": code, "message": message}`; the message is cut
    to the limit on error messages."""

    def __init__(self, code: ErrorCode, message: str, status: int | None = None) -> None:
        message = truncate(message)
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or code.http_status

    def body(self) -> dict[str, object]:
        return {"error_code": int(self.code), "message": self.message}


def subject_not_found(subject: str) -> RegistryError:
    return RegistryError(ErrorCode.SUBJECT_NOT_FOUND, f"Subject '{subject}' not found.")


def version_not_found(version: int | str) -> RegistryError:
    return RegistryError(ErrorCode.VERSION_NOT_FOUND, f"Version {version} not found.")


def schema_not_found(detail: str = "Schema not found") -> RegistryError:
    return RegistryError(ErrorCode.SCHEMA_NOT_FOUND, detail)


def invalid_schema(reason: str) -> RegistryError:
    return RegistryError(ErrorCode.INVALID_SCHEMA, reason)


_LIMIT_CODES = {
    "depth": ErrorCode.SCHEMA_NESTING_TOO_DEEP,
    "fields": ErrorCode.TOO_MANY_FIELDS,
    "union_branches": ErrorCode.TOO_MANY_UNION_BRANCHES,
}


def refused_schema(exc: InvalidSchema) -> RegistryError:
    """42201 for an invalid schema, the limit's own code for one past a limit."""
    code = _LIMIT_CODES.get(exc.limit) if isinstance(exc, LimitExceeded) else None
    return RegistryError(code or ErrorCode.INVALID_SCHEMA, exc.reason)


def operation_not_permitted(message: str) -> RegistryError:
    return RegistryError(ErrorCode.OPERATION_NOT_PERMITTED, message)


def invalid_version(version: str) -> RegistryError:
    return RegistryError(
        ErrorCode.INVALID_VERSION_ID,
        f"The specified version '{version}' is not a valid version id. Allowed values are between "
        f'[1, 2^31-1] and the string "latest"',
    )


assert ErrorCode.SUBJECT_NOT_FOUND.http_status == HTTPStatus.NOT_FOUND
