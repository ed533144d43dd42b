"""`python -m codegen [--check]`: write (or verify) the generated event classes."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from avrokit.catalog import CONTRACTS_DIR, CatalogError, load_catalog
from codegen.generate import render, ruff_format
from codegen.named import CodegenError

OUTPUT = Path(__file__).resolve().parent.parent / "services" / "events" / "generated.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="codegen", description=__doc__)
    parser.add_argument("--contracts", type=Path, default=CONTRACTS_DIR)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    try:  # every contract is validated before anything is generated
        catalog = load_catalog(args.contracts)
        source = ruff_format(render(catalog), args.output)
    except (CatalogError, CodegenError) as exc:
        for line in str(exc).splitlines():
            print(f"codegen: {line}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:  # a rendering bug: say so, not a traceback
        detail = (exc.stderr or "").strip().splitlines()[-1:] or ["no output"]
        print(f"codegen: ruff could not format the rendered module: {detail[0]}", file=sys.stderr)
        return 2
    current = args.output.read_text() if args.output.exists() else ""
    if args.check:
        if current != source:
            print(
                f"codegen: {args.output} is stale: the contracts changed since it was generated."
                " Run `make codegen` and commit the result.",
                file=sys.stderr,
            )
            return 1
        print(f"codegen: {args.output} is up to date")
        return 0
    if current == source:
        print(f"codegen: {args.output} unchanged ({len(catalog.event_contracts())} events)")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(source)
    print(f"codegen: wrote {args.output} ({len(catalog.event_contracts())} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
