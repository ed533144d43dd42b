"""`python -m stack.probe [URL]`: exit 0 when URL answers 2xx, 1 otherwise (container healthchecks).

Without URL it asks this container's own readiness, `http://127.0.0.1:$OPS_PORT/health/ready`.
Standard library only: it runs every few seconds in every container and must start fast.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def probe(url: str, timeout_s: float = 3.0) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - our own URL
            return 200 <= response.status < 300, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}: {exc.read(300).decode(errors='replace')}"
    except (OSError, ValueError) as exc:
        return False, f"{type(exc).__name__}: {exc}"


def main(argv: list[str]) -> int:
    url = argv[0] if argv else f"http://127.0.0.1:{os.environ.get('OPS_PORT', '9000')}/health/ready"
    ok, detail = probe(url)
    if not ok:
        print(f"probe {url}: {detail}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
