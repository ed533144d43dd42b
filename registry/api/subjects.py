"""/subjects: register, look up, list and delete subject versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from registry.api import document
from registry.api.document import Subject, Version
from registry.api.models import (
    COMMON_ERRORS,
    CONFLICT,
    NOT_FOUND,
    EncodedJSONResponse,
    RegisterResponse,
    RegistryDep,
    SchemaRequest,
    SchemaTextResponse,
    VersionResponse,
    check_subject,
)
from registry.service import Registry

router = APIRouter(prefix="/subjects", tags=["subjects"], responses=COMMON_ERRORS)


@router.get("", response_model=list[str], response_model_exclude_none=True)
def list_subjects(
    subjectPrefix: str = "",  # noqa: N803 - Confluent's query names
    deleted: bool = False,
    deletedOnly: bool = False,  # noqa: N803
    offset: int = 0,
    limit: int = -1,
    registry: Registry = RegistryDep,
) -> list[str]:
    return registry.subjects.list_subjects(subjectPrefix, deleted, deletedOnly, offset, limit)


@router.post(
    "/{subject}",
    response_model=VersionResponse,
    response_model_exclude_none=True,
    responses={200: {"links": document.FOUND_LINKS}, **NOT_FOUND},
)
def lookup_schema(
    subject: Subject,
    body: SchemaRequest,
    normalize: bool = False,
    deleted: bool = False,
    registry: Registry = RegistryDep,
) -> dict[str, Any]:
    return registry.subjects.lookup(check_subject(subject), body.to_input(), normalize, deleted)


@router.delete(
    "/{subject}", response_model=list[int], response_model_exclude_none=True, responses=NOT_FOUND
)
def delete_subject(
    subject: Subject, permanent: bool = False, registry: Registry = RegistryDep
) -> list[int]:
    return registry.subjects.delete_subject(check_subject(subject), permanent)


@router.get(
    "/{subject}/versions",
    response_model=list[int],
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def list_versions(
    subject: Subject,
    deleted: bool = False,
    deletedOnly: bool = False,  # noqa: N803
    offset: int = 0,
    limit: int = -1,
    registry: Registry = RegistryDep,
) -> list[int]:
    return registry.subjects.list_versions(
        check_subject(subject), deleted, deletedOnly, offset, limit
    )


@router.post(
    "/{subject}/versions",
    response_model=RegisterResponse,
    response_model_exclude_none=True,
    responses={200: {"links": document.REGISTERED_LINKS}, **CONFLICT, **NOT_FOUND},
)
def register_schema(
    subject: Subject, body: SchemaRequest, normalize: bool = False, registry: Registry = RegistryDep
) -> dict[str, Any]:
    return registry.registration.register(check_subject(subject), body.to_input(), normalize)


@router.get("/{subject}/versions/{version}", response_model=VersionResponse, responses=NOT_FOUND)
async def get_version(
    subject: Subject, version: Version, request: Request, deleted: bool = False
) -> Response:
    registry: Registry = request.app.state.registry  # no dependency to solve on the hot path
    subject = check_subject(subject)
    body = registry.subjects.cached_version(subject, version, deleted)
    if body is None:  # first read since the last write: go to the store off the event loop
        body = await run_in_threadpool(
            registry.subjects.version_response, subject, version, deleted
        )
    return EncodedJSONResponse(body)


@router.get(
    "/{subject}/versions/{version}/schema",
    response_model=Any,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def get_version_schema(
    subject: Subject, version: Version, deleted: bool = False, registry: Registry = RegistryDep
) -> Response:
    text = registry.subjects.get_version_schema(check_subject(subject), version, deleted)
    return SchemaTextResponse(text)


@router.get(
    "/{subject}/versions/{version}/referencedby",
    response_model=list[int],
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def referenced_by(
    subject: Subject,
    version: Version,
    offset: int = 0,
    limit: int = -1,
    registry: Registry = RegistryDep,
) -> list[int]:
    return registry.subjects.referenced_by(check_subject(subject), version, offset, limit)


@router.delete(
    "/{subject}/versions/{version}",
    response_model=int,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def delete_version(
    subject: Subject, version: Version, permanent: bool = False, registry: Registry = RegistryDep
) -> int:
    return registry.subjects.delete_version(check_subject(subject), version, permanent)


@router.get(
    "/{subject}/metadata",
    response_model=VersionResponse,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def latest_with_metadata(
    subject: Subject,
    key: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies the default
    value: Annotated[list[str], Query()] = [],  # noqa: B006
    deleted: bool = False,
    format: str | None = None,  # noqa: A002 - Confluent's query name; AVRO has one format
    registry: Registry = RegistryDep,
) -> dict[str, Any]:
    """Latest version whose metadata properties include every key[i]=value[i] (data contracts);
    as in Confluent, a key or value without a partner is ignored."""
    wanted = dict(zip(key, value, strict=False))
    return registry.subjects.latest_with_metadata(check_subject(subject), wanted, deleted)
