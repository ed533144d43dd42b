"""/schemas: schemas by id (and guid), the subjects and versions that use them, schema types."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from registry.api.models import (
    COMMON_ERRORS,
    NOT_FOUND,
    EncodedJSONResponse,
    RegistryDep,
    RegistryJSONResponse,
    SchemaResponse,
    SchemaTextResponse,
    SubjectVersion,
    VersionResponse,
)
from registry.service import SCHEMA_TYPES, Registry

router = APIRouter(prefix="/schemas", tags=["schemas"], responses=COMMON_ERRORS)

# A Java int, as Confluent's `@PathParam("id") Integer`; anything else is Jersey's 404.
SchemaId = Annotated[int, Path(ge=-(2**31), le=2**31 - 1)]


@router.get("", response_model=list[VersionResponse], response_model_exclude_none=True)
def list_schemas(
    subjectPrefix: str = "",  # noqa: N803
    deleted: bool = False,
    latestOnly: bool = False,  # noqa: N803
    offset: int = 0,
    limit: int = -1,
    registry: Registry = RegistryDep,
) -> list[dict[str, Any]]:
    return registry.schemas.list_schemas(subjectPrefix, deleted, latestOnly, offset, limit)


@router.get("/types", response_model=list[str], response_model_exclude_none=True)
def schema_types() -> list[str]:
    return list(SCHEMA_TYPES)


@router.get("/ids/{schema_id}", response_model=SchemaResponse, responses=NOT_FOUND)
async def get_schema(
    schema_id: SchemaId,
    subject: str | None = None,
    fetchMaxId: bool = False,  # noqa: N803
    format: str | None = None,  # noqa: A002 - Confluent's query name; AVRO has one format
    *,
    request: Request,
) -> Response:
    registry: Registry = request.app.state.registry  # no dependency to solve on the hot path
    if subject or fetchMaxId:
        found: Any = await run_in_threadpool(registry.schemas.by_id, schema_id, subject, fetchMaxId)
        return RegistryJSONResponse(found)
    # the deserializer's hot path: served from memory after the first read
    body = registry.schemas.cached_by_id(schema_id)
    if body is None:
        body = await run_in_threadpool(registry.schemas.by_id_response, schema_id)
    return EncodedJSONResponse(body)


@router.get(
    "/ids/{schema_id}/schema",
    response_model=Any,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def get_schema_only(schema_id: SchemaId, registry: Registry = RegistryDep) -> Response:
    return SchemaTextResponse(registry.schemas.text_by_id(schema_id))


@router.get(
    "/ids/{schema_id}/subjects",
    response_model=list[str],
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def get_schema_subjects(
    schema_id: SchemaId,
    subject: str | None = None,
    deleted: bool = False,
    offset: int = 0,
    limit: int = -1,
    registry: Registry = RegistryDep,
) -> list[str]:
    return registry.schemas.subjects_by_id(schema_id, subject, deleted, offset, limit)


@router.get(
    "/ids/{schema_id}/versions",
    response_model=list[SubjectVersion],
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def get_schema_versions(
    schema_id: SchemaId,
    subject: str | None = None,
    deleted: bool = False,
    offset: int = 0,
    limit: int = -1,
    registry: Registry = RegistryDep,
) -> list[dict[str, Any]]:
    return registry.schemas.versions_by_id(schema_id, subject, deleted, offset, limit)


@router.get(
    "/guids/{guid}",
    response_model=SchemaResponse,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def get_schema_by_guid(guid: str, registry: Registry = RegistryDep) -> dict[str, Any]:
    return registry.schemas.by_guid(guid)
