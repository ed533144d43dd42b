"""Findings and how they print: text (`file:line:col: RULE message` + fix), json, github, junit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

from gate import junit


@dataclass(frozen=True)
class Finding:
    file: str  # repository-relative, e.g. contracts/shop/events/order_created.avsc
    line: int
    col: int
    rule: str  # stable rule id, e.g. WIRE_FIELD_ADDED_WITHOUT_DEFAULT
    category: str  # WIRE | CODEGEN | SEMANTIC | INTEROP | LINT
    message: str
    fix: str
    subject: str = ""  # registry subject (compat) or "" (lint)
    pointer: str = ""  # JSON pointer into the new schema
    against: str = ""  # what it was checked against, e.g. "git 1a2b3c4" or "registry v2"
    override: str = ""  # non-empty when an override accepted it: "reason (approved by X)"
    introduced: str = ""  # a step earlier in the history: "<short sha> <commit subject line>"

    @property
    def is_error(self) -> bool:
        return not self.override

    def overridden(self, note: str) -> Finding:
        return replace(self, override=note)


def _text(f: Finding) -> str:
    head = f"{f.file}:{f.line}:{f.col}: {f.rule} {f.message}"
    if f.subject or f.against or f.introduced:
        head += f" [{_context(f)}]"
    return f"{head}\n    fix: {f.fix}"


def _context(f: Finding) -> str:
    where = (
        f"introduced in {f.introduced}" if f.introduced else f.against and f"against {f.against}"
    )
    return ", ".join(x for x in (f.subject, where) if x)


def _github_escape(value: str, prop: bool = False) -> str:
    out = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return out.replace(":", "%3A").replace(",", "%2C") if prop else out


FORMATS = ("text", "json", "github", "junit")


def render(
    findings: Sequence[Finding],
    fmt: str,
    summary: str,
    notes: Sequence[str] = (),
    suites: Sequence[str] = (),
    name: str = "gate",
) -> str:
    """`suites` and `name` are for junit: every subject (or file) checked, and the run's name."""
    if fmt == "junit":
        return junit.render(findings, name, summary, notes, suites)
    errors = [f for f in findings if f.is_error]
    overridden = [f for f in findings if not f.is_error]
    if fmt == "json":
        return json.dumps(
            {
                "findings": [asdict(f) for f in errors],
                "overridden": [asdict(f) for f in overridden],
                "notes": list(notes),
                "summary": summary,
            },
            indent=2,
        )
    lines: list[str] = []
    if fmt == "github":
        for f in errors:
            props = f"file={f.file},line={f.line},col={f.col},title={f.rule}"
            where = f", introduced in {f.introduced}" if f.introduced else ""
            text = f"{f.message}{where} (fix: {f.fix})"
            lines.append(f"::error {props}::{_github_escape(text)}")
        for f in overridden:
            props = f"file={f.file},line={f.line},col={f.col},title={f.rule} (overridden)"
            lines.append(f"::notice {props}::{_github_escape(f'{f.message} -- {f.override}')}")
    else:
        lines += [_text(f) for f in errors]
        for f in overridden:
            where = f" (introduced in {f.introduced})" if f.introduced else ""
            lines.append(
                f"override applied: {f.subject} {f.rule} at {f.file}:{f.line}:{f.col}{where}: "
                f"{f.override}"
            )
    lines += list(notes)
    lines.append(summary)
    return "\n".join(lines)
