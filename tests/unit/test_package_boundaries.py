"""The tools share code only through `avrokit`: the registry server, the gate and codegen never
import one another (checked in a fresh interpreter, so nothing imported by other tests counts)."""

from __future__ import annotations

import subprocess
import sys

import pytest

TOOLS = ("registry", "gate", "codegen")


@pytest.mark.parametrize("tool", TOOLS)
def test_tool_imports_no_other_tool(tool: str) -> None:
    others = [t for t in TOOLS if t != tool]
    probe = (
        "import importlib, sys\n"
        f"importlib.import_module('{tool}.__main__')\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {others!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"{tool} imports {out}"
    assert (
        "avrokit"
        in subprocess.run(
            [sys.executable, "-c", f"import {tool}.__main__, sys; print(sorted(sys.modules))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
