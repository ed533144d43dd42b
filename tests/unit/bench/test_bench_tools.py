"""The saga benchmark's instruments: CPU accounting from /proc and the py-spy stack summary."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.proc_cpu import CpuWindow, tree_cpu
from bench.profiling import package_of, short_file, summarize

BURN = (
    "import time\n"
    "x = 0\n"
    "for i in range(3_000_000): x += i\n"
    "print(time.process_time(), flush=True)\n"
)


def test_cpu_of_a_reaped_grandchild_is_counted() -> None:
    """A grandchild that ran and exited inside the window is counted (in its parent's cutime)."""
    shell = subprocess.Popen(
        ["sh", "-c", f"{sys.executable} -c '{BURN}'; echo reaped; exec sleep 30"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        window = CpuWindow({"tree": shell.pid})
        window.start()
        assert shell.stdout is not None
        burned = float(shell.stdout.readline())  # the grandchild's own CPU time, as it saw it
        assert shell.stdout.readline().strip() == "reaped"
        used = window.stop()["tree"]
        # clock ticks are 10 ms; the window started after the grandchild did
        assert used.total_s >= burned - 0.25
        assert used.user_s > 0
    finally:
        shell.kill()
        shell.wait()


def test_cpu_of_a_live_process_is_counted() -> None:
    window = CpuWindow({"me": os.getpid()})
    window.start()
    before = time.process_time()
    x = 0
    for i in range(2_000_000):
        x += i
    burned = time.process_time() - before
    used = window.stop()["me"]
    assert used.total_s >= burned - 0.03


def test_unknown_process_counts_nothing() -> None:
    assert tree_cpu({"gone": 2**22 + 12345})["gone"].total_s == 0


RAW = """\
<module> (/x/services/order/__main__.py:1);run (/usr/lib/python3.11/threading.py:9);\
handle (/x/services/runtime/processor.py:5);\
schemaless_writer (/v/site-packages/fastavro/_write.pyx:7) 6
<module> (/x/services/order/__main__.py:1);run (/usr/lib/python3.11/threading.py:9);\
handle (/x/services/runtime/processor.py:5) 3
<module> (/x/services/order/__main__.py:1);select (/usr/lib/python3.11/selectors.py:2) 1
"""


def test_profile_summary_self_inclusive_and_package_shares() -> None:
    summary = summarize(RAW)
    assert summary["samples"] == 10
    self_time = {e["frame"]: e["percent"] for e in summary["top_self"]}
    assert self_time == {
        "schemaless_writer (fastavro/_write.pyx)": 60.0,
        "handle (services/runtime/processor.py)": 30.0,
        "select (selectors.py)": 10.0,
    }
    inclusive = {e["frame"]: e["percent"] for e in summary["top_inclusive"]}
    assert inclusive["<module> (services/order/__main__.py)"] == 100.0
    assert inclusive["handle (services/runtime/processor.py)"] == 90.0
    packages = {e["frame"]: e["percent"] for e in summary["self_by_package"]}
    assert packages == {"fastavro": 60.0, "services/runtime/processor.py": 30.0, "selectors": 10.0}


def test_file_and_package_names() -> None:
    assert short_file("/r/.venv/lib/python3.11/site-packages/h11/_util.py") == "h11/_util.py"
    assert short_file("/usr/lib/python3.11/json/encoder.py") == "json/encoder.py"
    assert short_file("/work/repo/services/runtime/store.py") == "services/runtime/store.py"
    assert package_of("h11/_util.py") == "h11"
    assert package_of("threading.py") == "threading"
    assert package_of("services/runtime/store.py") == "services/runtime/store.py"
