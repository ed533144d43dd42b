"""`python -m gate compat|lint|download|docs|rules`: the contract gate (see gate/RULES.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from avrokit.yamlfile import InputError
from gate import compat, config, docs, lint, overrides, registry_mode, ruledoc
from gate.context import Repo
from gate.findings import FORMATS, Finding, render
from gate.history import HistoryError
from gate.registry_mode import RegistryUnavailable
from gate.rules.interop import MIXED_VERSIONS


def _summary(cmd: str, findings: list[Finding], checked: int, what: str) -> str:
    errors = sum(f.is_error for f in findings)
    over = len(findings) - errors
    verdict = "FAILED" if errors else "passed"
    extra = f", {over} override{'s' if over != 1 else ''} applied" if over else ""
    return (
        f"gate {cmd} {verdict}: {errors} error{'s' if errors != 1 else ''} in {checked} "
        f"{what}{extra}"
    )


def _report(
    args: argparse.Namespace,
    found: list[Finding],
    summary: str,
    notes: list[str],
    suites: list[str],
    warnings: Sequence[str] = (),
) -> int:
    name = f"gate {args.cmd}"
    print(render(found, args.format, summary, notes, suites, name, warnings))
    if args.junit:  # the JUnit report as a file too, for CI test reports
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_text(render(found, "junit", summary, notes, suites, name, warnings))
    return 1 if any(f.is_error for f in found) else 0


def _compat(args: argparse.Namespace, repo: Repo) -> int:
    selection = config.load(repo.root).compat
    interop = not args.no_interop and selection.runs(MIXED_VERSIONS.id)
    if args.registry:
        result = registry_mode.run(repo, args.registry, interop)
    else:
        result = compat.run(repo, args.against, interop)
    filtered = config.apply(selection, result.findings)
    path = args.overrides or compat.default_overrides(repo.root)
    applied = overrides.apply(filtered.findings, overrides.load(path), result.baseline)
    found = applied.findings
    notes = [*result.notes, *([filtered.note] if filtered.note else [])]
    summary = _summary("compat", found, result.checked, "subjects")
    return _report(args, found, summary, notes, result.subjects, applied.warnings)


def _lint(args: argparse.Namespace, repo: Repo) -> int:
    selection = config.load(repo.root).lint
    found, checked = lint.run(repo)
    filtered = config.apply(selection, found)
    files = [repo.rel(c) for c in repo.catalog.contracts.values()]
    summary = _summary("lint", filtered.findings, checked, "contracts")
    return _report(
        args, filtered.findings, summary, [filtered.note] if filtered.note else [], files
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gate", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compat", help="contracts vs their history (git or registry)")
    c.add_argument("--against", help="compare with the merge base of HEAD and this revision")
    c.add_argument("--registry", help="Schema Registry URL: check against what it holds")
    c.add_argument("--overrides", type=Path, help="default: contracts/compat-overrides.yaml")
    c.add_argument("--no-interop", action="store_true", help="skip the mixed-versions round trip")
    lt = sub.add_parser("lint", help="contract lint rules")
    for p in (c, lt):
        p.add_argument("--format", choices=FORMATS, default="text")
        p.add_argument("--junit", type=Path, help="also write a JUnit XML report to this file")
    dl = sub.add_parser("download", help="the registry's latest schemas, laid out as contracts/")
    dl.add_argument("--registry", required=True, help="Schema Registry URL")
    dl.add_argument("--output", type=Path, required=True, help="directory to write")
    dl.add_argument("--subject", action="append", help="only this subject (repeat for more)")
    dc = sub.add_parser("docs", help="docs/asyncapi.yaml, docs/catalog.md, docs/schemas/")
    dc.add_argument("--check", action="store_true", help="fail if the committed docs are stale")
    r = sub.add_parser("rules", help="write gate/RULES.md")
    r.add_argument("--check", action="store_true", help="fail if gate/RULES.md is stale")
    args = parser.parse_args(argv)
    repo = Repo(args.root.resolve())
    try:
        if args.cmd == "compat":
            return _compat(args, repo)
        if args.cmd == "lint":
            return _lint(args, repo)
        if args.cmd == "download":
            with httpx.Client(base_url=args.registry, timeout=10) as client:
                lines = registry_mode.download(
                    registry_mode.Registry(client), repo, args.output, args.subject
                )
            for line in lines:
                print(f"gate download: {line}")
            return 0
        if args.cmd == "docs" and args.check:
            old_docs = docs.stale(repo)
            for rel in old_docs:
                print(f"gate docs: {rel} is stale: run `make docs` and commit it", file=sys.stderr)
            print(f"gate docs: {'stale' if old_docs else 'up to date'}")
            return int(bool(old_docs))
        if args.cmd == "docs":
            for path in docs.write(repo):
                print(f"gate docs: wrote {path.relative_to(repo.root)}")
            return 0
        target = Path(__file__).resolve().parent / "RULES.md"
        text = ruledoc.render()
        if args.check:
            stale = not target.exists() or target.read_text() != text
            print(f"gate rules: gate/RULES.md is {'stale' if stale else 'up to date'}")
            return int(stale)
        target.write_text(text)
        print("gate rules: wrote gate/RULES.md")
        return 0
    except (InputError, HistoryError, RegistryUnavailable) as exc:
        for line in str(exc).splitlines():
            print(f"gate {args.cmd}: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
