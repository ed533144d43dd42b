"""What the OpenAPI document says about values the service checks itself.

The service answers Confluent's own error codes for these (42208 subject, 42202 version, 42203
level, 42204 mode), so FastAPI does not validate them; the document still has to say exactly what
is accepted, so that a client generated from it never sends what the server refuses. Each rule
is written once here and used by the models and routers. JSON Schema patterns have no flags:
case-insensitive words are spelled out letter by letter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Path

from avrokit import CompatibilityLevel
from registry.service.core import MODES


def any_case(words: Iterable[str], padded: bool = False) -> str:
    """A pattern matching exactly one of `words` in any letter case (with surrounding whitespace
    when `padded`: the service strips it)."""
    spelled = (
        "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)
        for word in words
    )
    body = "(" + "|".join(spelled) + ")"
    return rf"^\s*{body}\s*$" if padded else f"^{body}$"


# Not empty, no control character (42208), and not `.`/`..` (a client resolves those away).
SUBJECT_PATTERN = r"^(?!\.\.?$)[^\u0000-\u001f]+$"
# `latest`, -1 or 1..2147483647 (42202).
VERSION_PATTERN = (
    "^(latest|-1|[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
    "|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
    "|21474836[0-3][0-9]|214748364[0-7])$"
)
LEVEL_PATTERN = any_case(CompatibilityLevel, padded=True)
MODE_PATTERN = any_case(MODES, padded=True)

Subject = Annotated[
    str,
    Path(
        description="Subject name; a `/` inside it is sent as `%2F`.",
        json_schema_extra={"pattern": SUBJECT_PATTERN},
    ),
]
Version = Annotated[
    str,
    Path(
        description='Version number, or "latest" (also -1) for the latest live version.',
        json_schema_extra={"pattern": VERSION_PATTERN},
    ),
]


EXAMPLE_SCHEMA = '{"type":"record","name":"Example","fields":[{"name":"id","type":"string"}]}'


def _operation(path: str, method: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def _link(path: str, method: str, **parameters: str) -> dict[str, Any]:
    return {"operationRef": _operation(path, method), "parameters": parameters}


# OpenAPI links (schemathesis' stateful phase follows them): what a registration makes readable.
_SUBJECT = "$request.path.subject"
_ID = "$response.body#/id"
REGISTERED_LINKS = {
    "GetSchemaById": _link("/schemas/ids/{schema_id}", "get", schema_id=_ID),
    "GetSchemaText": _link("/schemas/ids/{schema_id}/schema", "get", schema_id=_ID),
    "GetSubjectsOfSchema": _link("/schemas/ids/{schema_id}/subjects", "get", schema_id=_ID),
    "GetVersionsOfSchema": _link("/schemas/ids/{schema_id}/versions", "get", schema_id=_ID),
    "ListVersions": _link("/subjects/{subject}/versions", "get", subject=_SUBJECT),
    "GetLatest": _link(
        "/subjects/{subject}/versions/{version}", "get", subject=_SUBJECT, version="latest"
    ),
    "LookUp": {
        **_link("/subjects/{subject}", "post", subject=_SUBJECT),
        "requestBody": "$request.body",
    },
    "CheckCompatibility": {
        **_link("/compatibility/subjects/{subject}/versions", "post", subject=_SUBJECT),
        "requestBody": "$request.body",
    },
    "DeleteLatest": _link(
        "/subjects/{subject}/versions/{version}", "delete", subject=_SUBJECT, version="latest"
    ),
    "DeleteSubject": _link("/subjects/{subject}", "delete", subject=_SUBJECT),
}
FOUND_LINKS = {
    "GetVersion": _link(
        "/subjects/{subject}/versions/{version}",
        "get",
        subject="$response.body#/subject",
        version="$response.body#/version",
    ),
}


def config_request_schema(schema: dict[str, Any]) -> None:
    """PUT /config: `compatibility` or `compatibilityLevel`, at least one a level (42203)."""
    for name in ("compatibility", "compatibilityLevel"):
        schema["properties"][name] = {
            "anyOf": [{"type": "string", "pattern": LEVEL_PATTERN}, {"type": "null"}],
            "description": "A compatibility level, in any letter case.",
        }
    schema["anyOf"] = [
        {"required": [name], "properties": {name: {"type": "string"}}}
        for name in ("compatibility", "compatibilityLevel")
    ]


def mode_request_schema(schema: dict[str, Any]) -> None:
    """PUT /mode: a mode, in any letter case (42204)."""
    schema["properties"]["mode"] = {"type": "string", "pattern": MODE_PATTERN}
    schema["required"] = ["mode"]


def schema_request_schema(schema: dict[str, Any]) -> None:
    """A schema body: the schema text is required (42201 without it); AVRO is the only type."""
    properties = schema["properties"]
    properties["schema"] = {"type": "string", "minLength": 1, "description": "Avro schema text."}
    properties["schemaType"] = {"anyOf": [{"const": "AVRO"}, {"type": "null"}], "default": "AVRO"}
    schema["required"] = ["schema"]
    schema["examples"] = [{"schema": EXAMPLE_SCHEMA}]
