from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate import overrides
from gate.findings import Finding, render

F = Finding(
    "contracts/shop/events/a.avsc",
    7,
    14,
    "WIRE_FIELD_MISSING_DEFAULT",
    "WIRE",
    "field 'gift_wrap' was added without a default",
    "add a default to field 'gift_wrap'",
    "a-value",
    "/fields/7",
    "git 1234567",
)


def test_text_format_is_path_line_col_rule_message_then_fix_then_summary() -> None:
    out = render([F], "text", "gate compat FAILED: 1 error").splitlines()
    assert out == [
        "contracts/shop/events/a.avsc:7:14: WIRE_FIELD_MISSING_DEFAULT field 'gift_wrap' was "
        "added without a default [a-value, against git 1234567]",
        "    fix: add a default to field 'gift_wrap'",
        "gate compat FAILED: 1 error",
    ]


def test_github_format_escapes_and_json_is_parseable() -> None:
    weird = Finding("c.avsc", 1, 2, "LINT_FIELD_DOC", "LINT", "50%\nbad", "fix it")
    gh = render([weird], "github", "s").splitlines()
    assert gh[0] == (
        "::error file=c.avsc,line=1,col=2,title=LINT_FIELD_DOC::50%25%0Abad (fix: fix it)"
    )
    data = json.loads(render([F, weird.overridden("ok (approved by bob)")], "json", "s"))
    assert [f["rule"] for f in data["findings"]] == ["WIRE_FIELD_MISSING_DEFAULT"]
    assert data["overridden"][0]["override"] == "ok (approved by bob)"
    assert data["summary"] == "s"


def test_overrides_match_subject_rule_and_optional_field(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text(
        "overrides:\n"
        "  - {subject: a-value, rule: WIRE_FIELD_MISSING_DEFAULT, field: gift_wrap,\n"
        "     reason: upgraded consumers first, approved_by: alice}\n"
    )
    loaded = overrides.load(path)
    (applied,) = overrides.apply([F], loaded)
    assert not applied.is_error
    assert applied.override == "upgraded consumers first (approved by alice)"
    other_subject = Finding(**{**F.__dict__, "subject": "b-value"})
    assert overrides.apply([other_subject], loaded)[0].is_error
    other_field = Finding(**{**F.__dict__, "message": "field 'x' was added without a default"})
    assert overrides.apply([other_field], loaded)[0].is_error
    text = render(overrides.apply([F], loaded), "text", "sum")
    assert (
        "override applied: a-value WIRE_FIELD_MISSING_DEFAULT at contracts/shop/events/a.avsc:7:14"
    ) in text


def test_override_without_reason_or_approver_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text("overrides:\n  - {subject: a-value, rule: X}\n")
    with pytest.raises(overrides.OverrideError, match="lacks reason, approved_by"):
        overrides.load(path)
    assert overrides.load(tmp_path / "missing.yaml") == []
