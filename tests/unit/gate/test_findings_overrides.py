from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
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


def test_junit_format_is_valid_xml_one_suite_per_subject_failures_carry_message_and_fix() -> None:
    older = replace(F, rule="CODEGEN_FIELD_RENAMED", line=9, introduced="abc1234 rename note")
    accepted = replace(F, subject="b-value", override="release 42 (approved by alice)")
    out = render(
        [F, older, accepted],
        "junit",
        "gate compat FAILED: 2 errors in 3 subjects, 1 override applied",
        ["c-value: level NONE, not checked"],
        ["a-value", "b-value", "c-value"],
        "gate compat",
    )
    root = ET.fromstring(out)
    assert root.tag == "testsuites" and root.get("name") == "gate compat"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "2", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["a-value", "b-value", "c-value"]
    a_cases = suites["a-value"].findall("testcase")
    assert [c.get("name") for c in a_cases] == [
        "WIRE_FIELD_MISSING_DEFAULT contracts/shop/events/a.avsc:7:14",
        "CODEGEN_FIELD_RENAMED contracts/shop/events/a.avsc:9:14",
    ]
    failure = a_cases[0].find("failure")
    assert failure is not None and failure.get("message") == F.message
    assert failure.get("type") == "WIRE_FIELD_MISSING_DEFAULT"
    assert failure.text is not None and failure.text.endswith(f"fix: {F.fix}")
    renamed = a_cases[1].find("failure")
    assert renamed is not None and "introduced in abc1234 rename note" in (renamed.text or "")
    (b_case,) = suites["b-value"].findall("testcase")
    skipped = b_case.find("skipped")
    assert skipped is not None and "release 42" in (skipped.get("message") or "")
    (c_case,) = suites["c-value"].findall("testcase")
    assert list(c_case) == [] and suites["c-value"].get("failures") == "0"
    assert suites["c-value"].findtext("system-out") == "c-value: level NONE, not checked"
