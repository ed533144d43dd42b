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
    field: str = ""  # what it is about, by full path: shop.events.InventoryReserved.items[].sku
    level: str = ""  # the compatibility level that forbids it, where the level decides
    subjects: tuple[str, ...] = ()  # every subject it affects (a shared type: all that embed it)
    commit: str = ""  # full id of the commit that made the change; "" for the working tree

    @property
    def is_error(self) -> bool:
        return not self.override

    @property
    def headline(self) -> str:
        """`<field>: <message> (<level>)`: what the one line says after the rule id."""
        text = f"{self.field}: {self.message}" if self.field else self.message
        return f"{text} ({self.level})" if self.level else text

    @property
    def affected(self) -> tuple[str, ...]:
        return self.subjects or ((self.subject,) if self.subject else ())

    def overridden(self, note: str) -> Finding:
        return replace(self, override=note)


def merge(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per change: the same change found for several subjects (a shared type and the
    events that embed it) or against several earlier versions is kept once, the first found, with
    every subject it affects."""
    out: dict[tuple[str, int, int, str, str, str], Finding] = {}
    for f in findings:
        key = (f.file, f.line, f.col, f.rule, f.field, f.message)
        if key in out:
            kept = out[key]
            out[key] = replace(kept, subjects=tuple(dict.fromkeys(kept.affected + f.affected)))
        else:
            out[key] = f
    return list(out.values())


def _text(f: Finding) -> str:
    head = f"{f.file}:{f.line}:{f.col}: {f.rule} {f.headline}"
    context = _context(f)
    return f"{head}{f' [{context}]' if context else ''}\n    fix: {f.fix}"


def _context(f: Finding) -> str:
    where = (
        f"introduced in {f.introduced}" if f.introduced else f.against and f"against {f.against}"
    )
    return ", ".join(x for x in (*f.affected, where) if x)


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
    warnings: Sequence[str] = (),
) -> str:
    """`suites` and `name` are for junit: every subject (or file) checked, and the run's name.
    `warnings` need a look but fail nothing (e.g. an override that matches no finding)."""
    if fmt == "junit":
        return junit.render(findings, name, summary, [*notes, *warnings], suites)
    errors = [f for f in findings if f.is_error]
    overridden = [f for f in findings if not f.is_error]
    if fmt == "json":
        return json.dumps(
            {
                "findings": [asdict(f) for f in errors],
                "overridden": [asdict(f) for f in overridden],
                "notes": list(notes),
                "warnings": list(warnings),
                "summary": summary,
            },
            indent=2,
        )
    lines: list[str] = []
    if fmt == "github":
        for f in errors:
            props = f"file={f.file},line={f.line},col={f.col},title={f.rule}"
            where = f", introduced in {f.introduced}" if f.introduced else ""
            text = f"{f.headline}{where} (fix: {f.fix})"
            lines.append(f"::error {props}::{_github_escape(text)}")
        for f in overridden:
            props = f"file={f.file},line={f.line},col={f.col},title={f.rule} (overridden)"
            lines.append(f"::notice {props}::{_github_escape(f'{f.headline} -- {f.override}')}")
    else:
        lines += [_text(f) for f in errors]
        for f in overridden:
            where = f" (introduced in {f.introduced})" if f.introduced else ""
            lines.append(
                f"override applied: {', '.join(f.affected)} {f.rule} {f.field or '-'} at "
                f"{f.file}:{f.line}:{f.col}{where}: {f.override}"
            )
    if fmt == "github":
        lines += [f"::warning::{_github_escape(w)}" for w in warnings]
    else:
        lines += [f"warning: {w}" for w in warnings]
    lines += list(notes)
    lines.append(summary)
    return "\n".join(lines)
