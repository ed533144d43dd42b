from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from gate import overrides
from gate.baseline import resolve
from gate.findings import Finding, merge, render
from gate.history import Blobs

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
    field="shop.events.A.gift_wrap",
    level="FULL_TRANSITIVE",
    subjects=("a-value",),
)


def test_text_format_is_path_line_col_rule_field_message_then_fix_then_summary() -> None:
    out = render([F], "text", "gate compat FAILED: 1 error").splitlines()
    assert out == [
        "contracts/shop/events/a.avsc:7:14: WIRE_FIELD_MISSING_DEFAULT shop.events.A.gift_wrap: "
        "field 'gift_wrap' was added without a default (FULL_TRANSITIVE) "
        "[a-value, against git 1234567]",
        "    fix: add a default to field 'gift_wrap'",
        "gate compat FAILED: 1 error",
    ]


def test_github_format_escapes_and_json_is_parseable() -> None:
    weird = Finding("c.avsc", 1, 2, "LINT_FIELD_DOC", "LINT", "50%\nbad", "fix it", field="x.y")
    gh = render([weird], "github", "s", warnings=["stale, delete it"]).splitlines()
    assert gh[0] == (
        "::error file=c.avsc,line=1,col=2,title=LINT_FIELD_DOC::x.y: 50%25%0Abad (fix: fix it)"
    )
    assert gh[1] == "::warning::stale, delete it"
    data = json.loads(render([F, weird.overridden("ok (approved by bob)")], "json", "s"))
    assert [f["rule"] for f in data["findings"]] == ["WIRE_FIELD_MISSING_DEFAULT"]
    assert data["findings"][0]["field"] == "shop.events.A.gift_wrap"
    assert data["overridden"][0]["override"] == "ok (approved by bob)"
    assert data["summary"] == "s" and data["warnings"] == []


def test_the_same_change_found_for_several_subjects_is_one_finding_listing_them() -> None:
    other = replace(F, subject="b-value", subjects=("b-value",), against="git 7654321")
    elsewhere = replace(F, line=9)
    merged = merge([F, other, elsewhere])
    assert [m.affected for m in merged] == [("a-value", "b-value"), ("a-value",)]
    assert merged[0].against == "git 1234567"  # the first found stays
    assert "[a-value, b-value, against git 1234567]" in render(merged[:1], "text", "s")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _commit(root: Path, name: str, text: str) -> str:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", f"write {name}")
    return _git(root, "rev-parse", "HEAD")


def _entry(scope: str, path: str = "shop.events.A.gift_wrap") -> str:
    return (
        f"  - {{subject: a-value, rule: WIRE_FIELD_MISSING_DEFAULT, path: {path}, {scope},\n"
        "     reason: consumers upgraded first, approved_by: alice}\n"
    )


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository with two commits: (root, first, second)."""
    _git(tmp_path, "init", "-q")
    first = _commit(tmp_path, "a.txt", "1")
    second = _commit(tmp_path, "a.txt", "2")
    return tmp_path, first, second


def _apply(
    root: Path, findings: list[Finding], text: str, every_step: bool = False
) -> overrides.Applied:
    path = root / "o.yaml"
    path.write_text("overrides:\n" + text)
    blobs = Blobs(root)
    try:
        baseline = resolve(root, None if every_step else "HEAD", blobs)
        return overrides.apply(findings, overrides.load(path), baseline, "o.yaml")
    finally:
        blobs.close()


def test_an_override_approves_one_finding_at_its_commit_only(
    history: tuple[Path, str, str],
) -> None:
    root, first, second = history
    at_first = replace(F, commit=first)
    applied = _apply(root, [at_first, replace(F, commit=second)], _entry(f"commit: '{first[:7]}'"))
    approved, refused = applied.findings
    assert approved.override == "consumers upgraded first (approved by alice)"
    assert refused.is_error  # the same break made again later is not approved
    assert applied.warnings == []
    other_path = _apply(root, [at_first], _entry(f"commit: '{first}'", "shop.events.A.other"))
    assert other_path.findings[0].is_error
    assert "matches no finding: delete it" in other_path.warnings[0]
    other_subject = replace(at_first, subject="b-value", subjects=("b-value",))
    assert _apply(root, [other_subject], _entry(f"commit: '{first}'")).findings[0].is_error
    shared = replace(at_first, subjects=("shop.common.Meta", "a-value"))
    assert not _apply(root, [shared], _entry(f"commit: '{first}'")).findings[0].is_error


@pytest.mark.parametrize("unquoted", ["1234567", "0123456", "00001234"])
def test_a_commit_yaml_reads_as_a_number_is_refused_with_the_fix(
    history: tuple[Path, str, str], unquoted: str
) -> None:
    root, _, _ = history
    with pytest.raises(overrides.OverrideError, match="quote it"):
        _apply(root, [F], _entry(f"commit: {unquoted}"))


def test_a_range_covers_its_commits_and_an_open_range_the_working_tree(
    history: tuple[Path, str, str],
) -> None:
    root, first, second = history
    closed = _apply(root, [replace(F, commit=second), F], _entry(f"range: {first}..{second}"))
    assert [f.is_error for f in closed.findings] == [False, True]
    opened = _apply(root, [F], _entry(f"range: {first}.."))
    assert not opened.findings[0].is_error  # F.commit == "": not committed yet


def test_an_override_for_a_commit_not_in_history_has_expired(
    history: tuple[Path, str, str],
) -> None:
    root, first, _ = history
    applied = _apply(root, [replace(F, commit=first)], _entry("commit: 0123456789abcdef"))
    assert applied.findings[0].is_error
    (warning,) = applied.warnings
    assert warning.startswith("o.yaml: override #1 (a-value WIRE_FIELD_MISSING_DEFAULT ")
    assert "has expired: commit 0123456789abcdef is not in the history of HEAD" in warning


def test_history_mode_reads_the_overrides_a_commit_had_so_merged_entries_can_go(
    tmp_path: Path,
) -> None:
    _git(tmp_path, "init", "-q")
    base = _commit(tmp_path, "a.txt", "0")
    broke = _commit(tmp_path, "o.yaml", "overrides:\n" + _entry(f"range: {base}.."))
    later = _commit(tmp_path, "o.yaml", "overrides: []\n")  # deleted after the merge
    applied = _apply(tmp_path, [replace(F, commit=broke)], "", every_step=True)
    assert not applied.findings[0].is_error and applied.warnings == []
    # a break made after the entry was deleted is not approved by it
    again = _apply(tmp_path, [replace(F, commit=later)], "", every_step=True)
    assert again.findings[0].is_error
    # merge-base mode judges the change by the file as it is now
    assert _apply(tmp_path, [replace(F, commit=broke)], "").findings[0].is_error


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "overrides:\n  - {subject: a, rule: WIRE_TYPE_MISMATCH, path: p, commit: abcdef,"
            " approved_by: b}\n",
            ("o.yaml:2:5: overrides[0].reason: required key is missing"),
        ),
        (
            "overrides:\n  - {subject: a, rule: NOPE, path: p, commit: abcdef, reason: r,"
            " approved_by: b}\n",
            "o.yaml:2:18: overrides[0].rule: unknown rule id 'NOPE'",
        ),
        (
            "overrides:\n  - {subject: a, rule: WIRE_TYPE_MISMATCH, path: p, reason: r,"
            " approved_by: b}\n",
            "o.yaml:2:5: overrides[0]: state exactly one of commit",
        ),
        (
            "overrides:\n  - {subject: a, rule: WIRE_TYPE_MISMATCH, field: p, commit: abcdef,"
            " reason: r, approved_by: b}\n",
            "o.yaml:2:5: overrides[0]: `field` is now `path`",
        ),
        (
            "overrides:\n  - {subject: a, rule: WIRE_TYPE_MISMATCH, path: p, range: abc, reason: r,"
            " approved_by: b}\n",
            "o.yaml:2:53: overrides[0].range: expected A..B or A.., got",
        ),
        ("overrides: {a: 1}\n", "o.yaml:1:1: overrides: expected a valid list, got a mapping"),
        ("- a\n", "o.yaml: expected a mapping with one key, overrides"),
        ("overrides: [\n", "o.yaml:2:1: not valid YAML"),
        ("overrides: []\nextra: 1\n", "o.yaml:2:1: extra: unknown key"),
    ],
)
def test_a_malformed_overrides_file_is_one_line_naming_file_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "o.yaml").write_text(text)
    with pytest.raises(overrides.OverrideError) as err:
        overrides.load(tmp_path / "o.yaml")
    (message,) = str(err.value).splitlines()
    assert message.startswith(line), message


def test_no_file_or_an_empty_one_means_no_overrides(tmp_path: Path) -> None:
    assert overrides.load(tmp_path / "missing.yaml") == []
    (tmp_path / "o.yaml").write_text("# nothing approved\n")
    assert overrides.load(tmp_path / "o.yaml") == []


def test_junit_format_is_valid_xml_one_suite_per_subject_failures_carry_message_and_fix() -> None:
    older = replace(F, rule="CODEGEN_FIELD_RENAMED", line=9, introduced="abc1234 rename note")
    accepted = replace(
        F, subject="b-value", subjects=("b-value",), override="release 42 (approved by alice)"
    )
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
    assert failure is not None and failure.get("message") == F.headline
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
