"""`python -m gate compat|lint|docs|rules`: the contract gate (see gate/RULES.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx

from avrokit.yamlfile import InputError
from gate import compat, docs, lint, overrides, registry_mode, ruledoc
from gate.context import Repo
from gate.findings import FORMATS, render
from gate.history import HistoryError
from gate.registry_mode import RegistryUnavailable


def _summary(cmd: str, findings: list, checked: int, what: str) -> str:
    errors = sum(f.is_error for f in findings)
    over = len(findings) - errors
    verdict = "FAILED" if errors else "passed"
    extra = f", {over} override{'s' if over != 1 else ''} applied" if over else ""
    return (
        f"gate {cmd} {verdict}: {errors} error{'s' if errors != 1 else ''} in {checked} "
        f"{what}{extra}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gate", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compat", help="contracts vs their history (git or registry)")
    c.add_argument("--against", help="git revision whose history to check against")
    c.add_argument("--registry", help="Schema Registry URL: check every registered version")
    c.add_argument("--overrides", type=Path, help="default: contracts/compat-overrides.yaml")
    c.add_argument("--no-interop", action="store_true", help="skip the mixed-versions round trip")
    c.add_argument("--format", choices=FORMATS, default="text")
    lt = sub.add_parser("lint", help="contract lint rules")
    lt.add_argument("--format", choices=FORMATS, default="text")
    dl = sub.add_parser("download", help="the registry's latest schemas, laid out as contracts/")
    dl.add_argument("--registry", required=True, help="Schema Registry URL")
    dl.add_argument("--output", type=Path, required=True, help="directory to write")
    dl.add_argument("--subject", action="append", help="only this subject (repeat for more)")
    sub.add_parser("docs", help="docs/asyncapi.yaml and docs/catalog.md")
    r = sub.add_parser("rules", help="write gate/RULES.md")
    r.add_argument("--check", action="store_true", help="fail if gate/RULES.md is stale")
    args = parser.parse_args(argv)
    repo = Repo(args.root.resolve())
    try:
        if args.cmd == "compat":
            if args.registry:
                result = registry_mode.run(repo, args.registry, not args.no_interop)
            else:
                result = compat.run(repo, args.against, not args.no_interop)
            path = args.overrides or compat.default_overrides(repo.root)
            applied = overrides.apply(result.findings, overrides.load(path), result.baseline)
            found = applied.findings
            print(
                render(
                    found,
                    args.format,
                    _summary("compat", found, result.checked, "subjects"),
                    result.notes,
                    result.subjects,
                    "gate compat",
                    applied.warnings,
                )
            )
            return 1 if any(f.is_error for f in found) else 0
        if args.cmd == "lint":
            found, checked = lint.run(repo)
            files = [repo.rel(c) for c in repo.catalog.contracts.values()]
            summary = _summary("lint", found, checked, "contracts")
            print(render(found, args.format, summary, (), files, "gate lint"))
            return 1 if found else 0
        if args.cmd == "download":
            with httpx.Client(base_url=args.registry, timeout=10) as client:
                lines = registry_mode.download(
                    registry_mode.Registry(client), repo, args.output, args.subject
                )
            for line in lines:
                print(f"gate download: {line}")
            return 0
        if args.cmd == "docs":
            for path in docs.write(repo):
                print(f"gate docs: wrote {path.relative_to(repo.root)}")
            return 0
        target = Path(__file__).resolve().parent / "RULES.md"
        text = ruledoc.render()
        if args.check:
            stale = not target.exists() or target.read_text() != text
            print(f"gate rules: {target} is {'stale' if stale else 'up to date'}")
            return int(stale)
        target.write_text(text)
        print(f"gate rules: wrote {target}")
        return 0
    except (InputError, HistoryError, RegistryUnavailable) as exc:
        print(f"gate {args.cmd}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
