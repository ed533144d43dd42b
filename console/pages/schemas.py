"""/schemas: subjects with versions, level and references; one subject's versions side by side
as a diff; a candidate schema checked against the subject, reasons placed at the fields."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from console.context import Console, console_of
from console.forms import read_form
from console.pages import attempt
from console.schema_diff import annotate, field_changes, layout, side_by_side
from console.sources.registry import CheckResult, SchemaVersion

router = APIRouter()
MAX_CANDIDATE_CHARS = 256 * 1024


@dataclass(frozen=True)
class SubjectRow:
    subject: str
    versions: list[int]
    latest: SchemaVersion | None
    level: str
    own_level: bool
    error: str | None = None

    @property
    def record_name(self) -> str:
        """The full name of the latest version's top-level type."""
        try:
            schema = json.loads(self.latest.schema) if self.latest else None
        except ValueError:
            return ""
        if not isinstance(schema, dict) or "name" not in schema:
            return ""
        name = str(schema["name"])
        return name if "." in name or "namespace" not in schema else f"{schema['namespace']}.{name}"


def _subject_row(console: Console, subject: str) -> SubjectRow:
    registry = console.sources.registry
    versions, error = attempt(lambda: registry.versions(subject), [])
    latest, latest_error = attempt(lambda: registry.version(subject, "latest"), None)
    (level, own), level_error = attempt(lambda: registry.level(subject), ("?", False))
    return SubjectRow(subject, versions, latest, level, own, error or latest_error or level_error)


@router.get("/schemas", response_class=HTMLResponse)
def schemas_page(request: Request) -> HTMLResponse:
    console = console_of(request)
    registry = console.sources.registry
    subjects, error = attempt(registry.subjects, [])
    (level, _), level_error = attempt(registry.level, ("?", False))
    return console.render(
        request,
        "schemas.html",
        title="Schemas",
        source=f"registry {registry.url} (REST API)",
        rows=[_subject_row(console, s) for s in subjects],
        global_level=level,
        error=error or level_error,
    )


@router.get("/schemas/{subject:path}", response_class=HTMLResponse)
def subject_page(
    request: Request,
    subject: str,
    left: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    right: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    return _render_subject(request, subject, left, right, candidate="", against="latest")


@router.post("/schemas/{subject:path}", response_class=HTMLResponse)
async def check_candidate(request: Request, subject: str) -> HTMLResponse:
    """Test a candidate (a read: nothing is registered), then show the subject page with it."""
    form = await read_form(request)
    candidate = form.get("candidate")
    against = form.get("against", "latest")
    if against not in ("latest", "all"):
        against = "latest"
    return _render_subject(request, subject, None, None, candidate, against, checked=True)


def _render_subject(
    request: Request,
    subject: str,
    left: int | None,
    right: int | None,
    candidate: str,
    against: str,
    checked: bool = False,
) -> HTMLResponse:
    console = console_of(request)
    registry = console.sources.registry
    versions = registry.versions(subject)  # an unknown subject is the registry's 404, as a page
    right = right or versions[-1]
    left = left or (versions[-2] if len(versions) > 1 else versions[-1])
    right_version = registry.version(subject, right)
    left_version = registry.version(subject, left)
    references = [_reference(console, ref) for ref in right_version.references]
    referenced_by, _ = attempt(lambda: registry.referenced_by(subject, right), [])
    level, own = registry.level(subject)
    context: dict[str, Any] = {}
    if checked:
        context = _check(console, subject, candidate, against)
    return console.render(
        request,
        "subject.html",
        200 if not context.get("refused") else 422,
        title=f"Subject {subject}",
        source=f"registry {registry.url} (REST API; compatibility checked by the registry)",
        subject=subject,
        versions=versions,
        left=left_version,
        right=right_version,
        rows=side_by_side(layout(left_version.schema), layout(right_version.schema)),
        changes=field_changes(left_version.schema, right_version.schema),
        references=references,
        referenced_by=referenced_by,
        level=level,
        own_level=own,
        candidate=candidate or "\n".join(layout(right_version.schema)),
        against=against,
        checked=checked,
        **context,
    )


def _reference(console: Console, ref: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A reference of the shown version, and why it cannot be resolved, if it cannot."""
    registry = console.sources.registry
    _, error = attempt(lambda: registry.version(str(ref["subject"]), int(ref["version"])), None)
    return ref, error


def _check(console: Console, subject: str, candidate: str, against: str) -> dict[str, Any]:
    if not candidate.strip():
        return {"refused": "paste a schema to check"}
    if len(candidate) > MAX_CANDIDATE_CHARS:
        return {"refused": f"candidate longer than {MAX_CANDIDATE_CHARS // 1024} KiB"}
    result: CheckResult = console.sources.registry.check(subject, candidate, against)
    fields, unplaced = annotate(candidate, result.messages)
    return {"result": result, "fields": fields, "unplaced": unplaced}
