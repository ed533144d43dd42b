"""/compatibility: test a schema against one version or against the subject's history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from registry.api.document import Subject, Version
from registry.api.models import (
    COMMON_ERRORS,
    NOT_FOUND,
    CompatibilityResponse,
    RegistryDep,
    SchemaRequest,
    check_subject,
)
from registry.service import Registry

router = APIRouter(prefix="/compatibility", tags=["compatibility"], responses=COMMON_ERRORS)


@router.post(
    "/subjects/{subject}/versions/{version}",
    response_model=CompatibilityResponse,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def test_against_version(
    subject: Subject,
    version: Version,
    body: SchemaRequest,
    normalize: bool = False,
    verbose: bool = False,
    registry: Registry = RegistryDep,
) -> dict[str, Any]:
    return registry.compatibility.test(
        check_subject(subject), version, body.to_input(), normalize, verbose
    )


@router.post(
    "/subjects/{subject}/versions",
    response_model=CompatibilityResponse,
    response_model_exclude_none=True,
    responses=NOT_FOUND,
)
def test_against_all(
    subject: Subject,
    body: SchemaRequest,
    normalize: bool = False,
    verbose: bool = False,
    registry: Registry = RegistryDep,
) -> dict[str, Any]:
    return registry.compatibility.test(
        check_subject(subject), None, body.to_input(), normalize, verbose
    )
