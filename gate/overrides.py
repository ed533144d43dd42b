"""`contracts/compat-overrides.yaml`: reviewed, deliberate breaks the gate lets through.

overrides:
  - subject: order_created-value   # registry subject (or a shared type's subject)
    rule: WIRE_FIELD_MISSING_DEFAULT
    reason: every consumer of order_created was upgraded in release 42
    approved_by: alice (platform lead)
    field: gift_wrap                # optional: only findings naming this field
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from gate.findings import Finding


class OverrideError(ValueError):
    pass


@dataclass(frozen=True)
class Override:
    subject: str
    rule: str
    reason: str
    approved_by: str
    field: str = ""

    def matches(self, f: Finding) -> bool:
        return (
            f.subject == self.subject
            and f.rule == self.rule
            and (not self.field or f"'{self.field}'" in f.message)
        )

    def note(self) -> str:
        return f"{self.reason} (approved by {self.approved_by})"


def load(path: Path) -> list[Override]:
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text()) or {}
    out = []
    for i, entry in enumerate(raw.get("overrides") or []):
        missing = [k for k in ("subject", "rule", "reason", "approved_by") if not entry.get(k)]
        if missing:
            raise OverrideError(f"{path}: override #{i + 1} lacks {', '.join(missing)}")
        out.append(
            Override(
                str(entry["subject"]),
                str(entry["rule"]),
                str(entry["reason"]),
                str(entry["approved_by"]),
                str(entry.get("field", "")),
            )
        )
    return out


def apply(findings: list[Finding], overrides: list[Override]) -> list[Finding]:
    out = []
    for f in findings:
        hit = next((o for o in overrides if o.matches(f)), None)
        out.append(f.overridden(hit.note()) if hit else f)
    return out
