"""A variable a program cannot use stops it with one line naming the variable, not a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stack.health import check_ops_urls


@pytest.mark.parametrize("entry", ["http://[oops", "http://host:abc", "payment:9000", "ftp://h:1"])
def test_an_ops_url_that_is_not_an_http_base_url_is_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="is not a base URL like http://payment:9000"):
        check_ops_urls(f"http://order:9000,{entry}")


def test_ops_urls_that_are_base_urls_pass_unchanged() -> None:
    listed = "http://order:9000, https://payment:9000/,"
    assert check_ops_urls(listed) == listed


@pytest.mark.parametrize(
    ("program", "variable", "value", "expected"),
    [
        ("services.payment", "SESSION_TIMEOUT_MS", "abc", "payment: setting SESSION_TIMEOUT_MS:"),
        (
            "stack",
            "OPS_URLS",
            "http://[oops",
            "stack: setting OPS_URLS: Value error, 'http://[oops'",
        ),
        (
            "console",
            "OPS_URLS",
            "http://h:x",
            "console: setting OPS_URLS: Value error, 'http://h:x'",
        ),
    ],
)
def test_a_program_refuses_a_bad_variable_in_one_line(
    program: str, variable: str, value: str, expected: str
) -> None:
    args = [sys.executable, "-m", program] + (["status"] if program == "stack" else [])
    done = subprocess.run(
        args,
        env={"PATH": "/usr/bin:/bin", variable: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(expected), line
