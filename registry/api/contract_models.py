"""Bodies of data contracts (`metadata`, `ruleSet`) as Confluent's REST API spells them.

Strict: JSON types are taken as they are (no `0` for `false`, no `"1"` for `1`), so a body is
valid exactly when the OpenAPI document says it is."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

STRICT = ConfigDict(strict=True)


class Metadata(BaseModel):
    model_config = STRICT

    tags: dict[str, list[str]] | None = None
    properties: dict[str, str] | None = None
    sensitive: list[str] | None = None


class Rule(BaseModel):
    model_config = STRICT

    name: str | None = None  # required; checked by registry.contracts (42201)
    doc: str | None = None
    kind: str | None = None
    mode: str | None = None
    type: str | None = None
    tags: list[str] | None = None
    params: dict[str, str] | None = None
    expr: str | None = None
    onSuccess: str | None = None  # noqa: N815 - Confluent's spelling
    onFailure: str | None = None  # noqa: N815
    disabled: bool | None = None


class RuleSet(BaseModel):
    model_config = STRICT

    migrationRules: list[Rule] | None = None  # noqa: N815
    domainRules: list[Rule] | None = None  # noqa: N815
    encodingRules: list[Rule] | None = None  # noqa: N815


def dump(model: BaseModel | None) -> dict[str, Any] | None:
    """The stored form: the fields the client sent, without nulls."""
    return None if model is None else model.model_dump(exclude_none=True)
