"""Request and response bodies of the REST API (they also make the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from starlette.responses import Response

from avrokit.limits import lone_surrogate
from registry import errors
from registry.api import document, media
from registry.api.contract_models import Metadata, RuleSet, dump
from registry.api.paths import decode_segment
from registry.errors import ErrorCode, RegistryError
from registry.service import Registry, SchemaInput
from registry.service.rows import encode_json

MAX_INT32 = 2**31 - 1
CONTENT_TYPE = media.V1


def _integral(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# An integer as JSON Schema means it: `3.0` is one, `"3"` and `true` are not (strict models).
Id = Annotated[int, Field(ge=1, le=MAX_INT32), BeforeValidator(_integral)]
ReferenceVersion = Annotated[
    int,
    Field(ge=-1, le=MAX_INT32, json_schema_extra={"not": {"const": 0}}),
    BeforeValidator(_integral),
]  # -1: latest; 0 is refused (42201)


class RegistryJSONResponse(JSONResponse):
    """Every response carries Confluent's media type."""

    media_type = CONTENT_TYPE

    def render(self, content: Any) -> bytes:
        return encode_json(content)


class EncodedJSONResponse(Response):
    """A body the read cache holds already encoded (`encode_json`)."""

    media_type = CONTENT_TYPE


class SchemaTextResponse(Response):
    """A stored schema text sent as it is (`.../schema` endpoints): it is compact JSON already,
    and decoding it to re-encode it would walk every level of nesting again."""

    media_type = CONTENT_TYPE


class ErrorResponse(BaseModel):
    error_code: int
    message: str


class SchemaReference(BaseModel):
    model_config = ConfigDict(strict=True)

    name: str
    subject: str
    version: ReferenceVersion = -1


class SchemaRequest(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        strict=True,
        json_schema_extra=document.schema_request_schema,
    )

    schema_: str | None = Field(default=None, alias="schema")
    schemaType: str | None = "AVRO"  # noqa: N815 - Confluent's spelling
    references: list[SchemaReference] | None = None
    id: Id | None = None
    version: Id | None = None
    metadata: Metadata | None = None
    ruleSet: RuleSet | None = None  # noqa: N815

    @model_validator(mode="after")
    def _unicode_text(self) -> SchemaRequest:
        """Refuse lone surrogates (`"\\ud800"`): they cannot be stored or sent back. (Inside the
        schema text they are the schema's fault: parsing answers 42201.)"""
        if lone_surrogate(self.model_dump(exclude_none=True, exclude={"schema_"})):
            raise ValueError(
                "a string holds a lone surrogate (an unpaired \\ud800-\\udfff escape), which "
                "is not Unicode text"
            )
        return self

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
    model_config = ConfigDict(
        extra="allow", strict=True, json_schema_extra=document.config_request_schema
    )

    compatibility: str | None = None
    compatibilityLevel: str | None = None  # noqa: N815

    def levels(self) -> list[str]:
        """The levels given, `compatibility` first (the service checks each: 42203)."""
        return [v for v in (self.compatibility, self.compatibilityLevel) if v is not None]


class ConfigResponse(BaseModel):
    compatibilityLevel: str  # noqa: N815


class ConfigUpdateResponse(BaseModel):
    compatibility: str


class ModeRequest(BaseModel):
    model_config = ConfigDict(strict=True, json_schema_extra=document.mode_request_schema)

    mode: str | None = None


class ModeResponse(BaseModel):
    mode: str


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse} for code in codes}


# Statuses every route may answer besides its success (auth, bad JSON, oversized body, store).
COMMON_ERRORS = _errors(400, 401, 403, 413, 422, 500)
NOT_FOUND = _errors(404)
CONFLICT = _errors(409)


async def get_registry(request: Request) -> Registry:  # async: no thread hop per request
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Depends(get_registry)


def check_subject(subject: str) -> str:
    """A subject path parameter, decoded (it may contain `/`) and validated (42208)."""
    subject = decode_segment(subject)
    if not subject or any(ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF for c in subject):
        raise RegistryError(ErrorCode.INVALID_SUBJECT, f"Invalid subject {subject!r}")
    return subject
