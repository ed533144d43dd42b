"""/mode: READWRITE, READONLY (writes refused with 42205) and IMPORT (explicit ids and versions)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from registry.api.document import Subject
from registry.api.models import (
    COMMON_ERRORS,
    NOT_FOUND,
    ModeRequest,
    ModeResponse,
    RegistryDep,
    check_subject,
)
from registry.service import Registry

router = APIRouter(prefix="/mode", tags=["mode"], responses=COMMON_ERRORS)


@router.get("", response_model=ModeResponse, response_model_exclude_none=True)
def get_global(registry: Registry = RegistryDep) -> dict[str, Any]:
    return registry.mode.get(None, True)


@router.put("", response_model=ModeResponse, response_model_exclude_none=True)
def put_global(
    body: ModeRequest, force: bool = False, registry: Registry = RegistryDep
) -> dict[str, Any]:
    return registry.mode.set(None, body.mode, force)


@router.get(
    "/{subject}", response_model=ModeResponse, response_model_exclude_none=True, responses=NOT_FOUND
)
def get_subject(
    subject: Subject,
    defaultToGlobal: bool = False,
    registry: Registry = RegistryDep,  # noqa: N803
) -> dict[str, Any]:
    return registry.mode.get(check_subject(subject), defaultToGlobal)


@router.put("/{subject}", response_model=ModeResponse, response_model_exclude_none=True)
def put_subject(
    subject: Subject, body: ModeRequest, force: bool = False, registry: Registry = RegistryDep
) -> dict[str, Any]:
    return registry.mode.set(check_subject(subject), body.mode, force)


@router.delete(
    "/{subject}", response_model=ModeResponse, response_model_exclude_none=True, responses=NOT_FOUND
)
def delete_subject(subject: Subject, registry: Registry = RegistryDep) -> dict[str, Any]:
    return registry.mode.delete(check_subject(subject))
