"""The CI pieces users expect, checked like code: the GitHub workflow, the pre-commit hooks and
the gate's configuration parse, and every command they run is a make target that exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from avrokit.yamlfile import InputError
from gate import config
from gate.findings import Finding

ROOT = Path(__file__).resolve().parents[3]


def _make_targets() -> dict[str, str]:
    """Target -> its recipe, from the Makefile."""
    out: dict[str, str] = {}
    current = ""
    for line in (ROOT / "Makefile").read_text().splitlines():
        m = re.match(r"^([a-z][a-z-]*):", line)
        if m:
            current = m.group(1)
            out[current] = ""
        elif line.startswith("\t") and current:
            out[current] += line.strip() + "\n"
    return out


def _make_calls(command: str) -> list[str]:
    words = shlex.split(re.sub(r"\$\{\{[^}]*\}\}", "EXPR", command))  # ${{ github... }}
    assert words[0] == "make", command
    return [w for w in words[1:] if "=" not in w]


def test_the_workflow_checks_out_full_history_and_runs_existing_targets() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"push", "pull_request"}
    (job,) = workflow["jobs"].values()
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = [s["run"] for s in job["steps"] if "run" in s]
    targets = _make_targets()
    for run in runs:
        for target in _make_calls(run):
            assert target in targets, f"the workflow runs `make {target}`, which does not exist"
    compat = [r for r in runs if _make_calls(r) == ["compat"]]
    assert len(compat) == 2 and all("FORMAT=github" in r and "JUNIT=" in r for r in compat)
    assert any("AGAINST=origin/${{ github.base_ref }}" in r for r in compat)
    assert {"codegen-check", "lint", "docs-check", "test"} <= {
        t for r in runs for t in _make_calls(r)
    }
    upload = next(s for s in job["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "always()" and upload["with"]["path"].endswith(".xml")
    # CI's own entry point runs the same checks
    ci_run = (ROOT / ".ci/run").read_text()
    for target in ("codegen-check", "lint", "compat", "docs-check", "test"):
        assert f"make {target}\n" in ci_run


def test_pre_commit_hooks_run_the_same_make_targets_and_lint_checks_the_format() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    (repo,) = hooks["repos"]
    assert repo["repo"] == "local"
    targets = _make_targets()
    entries = {h["id"]: h["entry"] for h in repo["hooks"]}
    assert set(entries) == {"codegen-check", "lint", "compat", "docs-check"}
    for hook in repo["hooks"]:
        assert hook["language"] == "system" and hook["pass_filenames"] is False
        (target,) = _make_calls(hook["entry"])
        assert target in targets
        re.compile(hook["files"])
    assert "ruff format --check ." in targets["lint"]
    assert "ruff check ." in targets["lint"] and "gate lint" in targets["lint"]


def test_the_committed_gate_configuration_is_valid_and_selects_every_rule() -> None:
    cfg = config.load(ROOT)
    assert cfg.lint.runs("LINT_FIELD_DOC") and not cfg.lint.runs("WIRE_TYPE_MISMATCH")
    assert cfg.compat.runs("INTEROP_MIXED_VERSIONS") and cfg.compat.runs("WIRE_TYPE_MISMATCH")


def _finding(rule: str, file: str) -> Finding:
    return Finding(file, 1, 1, rule, rule.split("_")[0], "m", "f")


def test_selection_except_ignore_and_ignore_only(tmp_path: Path) -> None:
    (tmp_path / "contracts/legacy").mkdir(parents=True)
    (tmp_path / "contracts/a.avsc").write_text("{}")
    (tmp_path / "contracts/gate.yaml").write_text(
        "version: 1\n"
        "lint:\n"
        "  except: [LINT_MONEY_NOT_FLOAT]\n"
        "  ignore: [contracts/legacy]\n"
        "  ignore_only: {LINT_FIELD_DOC: [contracts/a.avsc]}\n"
    )
    sel = config.load(tmp_path).lint
    kept = config.apply(
        sel,
        [
            _finding("LINT_MONEY_NOT_FLOAT", "contracts/b.avsc"),
            _finding("LINT_TYPE_DOC", "contracts/legacy/x.avsc"),
            _finding("LINT_FIELD_DOC", "contracts/a.avsc"),
            _finding("LINT_TYPE_DOC", "contracts/a.avsc"),
        ],
    )
    assert [(f.rule, f.file) for f in kept.findings] == [("LINT_TYPE_DOC", "contracts/a.avsc")]
    assert kept.note == "contracts/gate.yaml: 3 findings not reported"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "lint:\n  use: [WIRE]\n",
            "contracts/gate.yaml:2:9: lint.use[0]: 'WIRE' is not a rule or category of `gate "
            "lint` runs LINT",
        ),
        ("lint:\n  use: [NOPE]\n", "contracts/gate.yaml:2:9: lint.use[0]: 'NOPE' is no rule id"),
        ("lint:\n  uses: [LINT]\n", "contracts/gate.yaml:2:3: lint.uses: unknown key"),
        (
            "compat:\n  ignore: [contracts/nope]\n",
            "contracts/gate.yaml:2:12: compat.ignore[0]: 'contracts/nope' does not exist",
        ),
        ("version: 2\n", "contracts/gate.yaml:1:1: version: expected 1"),
        ("compat: [WIRE]\n", "contracts/gate.yaml:1:1: compat: expected a mapping, got a list"),
    ],
)
def test_a_bad_gate_configuration_is_one_line_naming_file_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: str
) -> None:
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts/gate.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        config.load(tmp_path)
    (message,) = str(err.value).splitlines()
    assert message.startswith(line), message
