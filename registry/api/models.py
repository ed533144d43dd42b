"""Request and response bodies of the REST API (they also make the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from registry import errors
from registry.api import media
from registry.api.contract_models import Metadata, RuleSet, dump
from registry.api.paths import decode_segment
from registry.errors import ErrorCode, RegistryError
from registry.service import Registry, SchemaInput

MAX_INT32 = 2**31 - 1
CONTENT_TYPE = media.V1


class RegistryJSONResponse(JSONResponse):
    """Every response carries Confluent's media type."""

    media_type = CONTENT_TYPE


class ErrorResponse(BaseModel):
    error_code: int
    message: str


class SchemaReference(BaseModel):
    name: str
    subject: str
    version: int = Field(default=-1, ge=-1, le=MAX_INT32)


class SchemaRequest(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    schema_: str | None = Field(default=None, alias="schema")
    schemaType: str | None = "AVRO"  # noqa: N815 - Confluent's spelling
    references: list[SchemaReference] | None = None
    id: int | None = Field(default=None, ge=1, le=MAX_INT32)
    version: int | None = Field(default=None, ge=1, le=MAX_INT32)
    metadata: Metadata | None = None
    ruleSet: RuleSet | None = None  # noqa: N815

    def to_input(self) -> SchemaInput:
        if not self.schema_:
            raise errors.invalid_schema("Empty schema")
        return SchemaInput(
            schema=self.schema_,
            schema_type=self.schemaType or "AVRO",
            references=tuple(r.model_dump() for r in self.references or ()),
            id=self.id,
            version=self.version,
            metadata=dump(self.metadata),
            rule_set=dump(self.ruleSet),
        )


class RegisterResponse(BaseModel):
    id: int


class SchemaResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    schema_: str = Field(alias="schema")
    schemaType: str | None = None  # noqa: N815
    references: list[SchemaReference] | None = None
    guid: str | None = None
    metadata: Metadata | None = None
    ruleSet: RuleSet | None = None  # noqa: N815
    maxId: int | None = None  # noqa: N815


class VersionResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    subject: str
    version: int
    id: int
    schema_: str = Field(alias="schema")
    schemaType: str | None = None  # noqa: N815
    references: list[SchemaReference] | None = None
    guid: str | None = None
    metadata: Metadata | None = None
    ruleSet: RuleSet | None = None  # noqa: N815
    deleted: bool | None = None


class SubjectVersion(BaseModel):
    subject: str
    version: int


class CompatibilityResponse(BaseModel):
    is_compatible: bool
    messages: list[str] | None = None


class ConfigRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    compatibility: str | None = None
    compatibilityLevel: str | None = None  # noqa: N815

    def level(self) -> str | None:
        return self.compatibility or self.compatibilityLevel


class ConfigResponse(BaseModel):
    compatibilityLevel: str  # noqa: N815


class ConfigUpdateResponse(BaseModel):
    compatibility: str


class ModeRequest(BaseModel):
    mode: str | None = None


class ModeResponse(BaseModel):
    mode: str


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse} for code in codes}


# Statuses every route may answer besides its success (auth, bad JSON, oversized body, store).
COMMON_ERRORS = _errors(400, 401, 403, 413, 422, 500)
NOT_FOUND = _errors(404)
CONFLICT = _errors(409)


def get_registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Depends(get_registry)


def check_subject(subject: str) -> str:
    """A subject path parameter, decoded (it may contain `/`) and validated (42208)."""
    subject = decode_segment(subject)
    if not subject or any(ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF for c in subject):
        raise RegistryError(ErrorCode.INVALID_SUBJECT, f"Invalid subject {subject!r}")
    return subject
