"""/config: global and per-subject compatibility levels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from registry.api.document import Subject
from registry.api.models import (
    COMMON_ERRORS,
    NOT_FOUND,
    ConfigRequest,
    ConfigResponse,
    ConfigUpdateResponse,
    RegistryDep,
    check_subject,
)
from registry.service import Registry

router = APIRouter(prefix="/config", tags=["config"], responses=COMMON_ERRORS)


@router.get("", response_model=ConfigResponse, response_model_exclude_none=True)
def get_global(registry: Registry = RegistryDep) -> dict[str, Any]:
    return registry.config.get(None, True)


@router.put("", response_model=ConfigUpdateResponse, response_model_exclude_none=True)
def put_global(body: ConfigRequest, registry: Registry = RegistryDep) -> dict[str, Any]:
    return registry.config.set(None, body.levels())


@router.delete("", response_model=ConfigResponse, response_model_exclude_none=True)
def delete_global(registry: Registry = RegistryDep) -> dict[str, Any]:
    return registry.config.delete(None)


@router.get(
    "/{subject}",
    response_model=ConfigResponse,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def get_subject(
    subject: Subject,
    defaultToGlobal: bool = False,
    registry: Registry = RegistryDep,  # noqa: N803
) -> dict[str, Any]:
    return registry.config.get(check_subject(subject), defaultToGlobal)


@router.put("/{subject}", response_model=ConfigUpdateResponse, response_model_exclude_none=True)
def put_subject(
    subject: Subject, body: ConfigRequest, registry: Registry = RegistryDep
) -> dict[str, Any]:
    return registry.config.set(check_subject(subject), body.levels())


@router.delete(
    "/{subject}",
    response_model=ConfigResponse,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def delete_subject(subject: Subject, registry: Registry = RegistryDep) -> dict[str, Any]:
    return registry.config.delete(check_subject(subject))
