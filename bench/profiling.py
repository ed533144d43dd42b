"""Sample a running service with py-spy and summarise where its CPU goes.

`py-spy record --gil --format raw --function` (pausing the process for each sample, so that a
stack is read whole) writes one line per distinct stack,
"frame;frame;... N", sampling only the thread that holds the GIL: Python's own CPU time.  (Without
`--gil`, py-spy's idle detection counts threads waiting in epoll, futexes and fsync as busy.)  Work
done with the GIL released (inside SQLite, librdkafka's threads, the kernel) is in the process's CPU
figures but not here.  From the stacks: the top frames by self time (the leaf), by inclusive time
(anywhere on the stack), and self time per package (per file for the project's own code), as
shares of all samples.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::\d+)?\)$")
_SITE = re.compile(r".*/site-packages/")
_STDLIB = re.compile(r".*/lib/python3\.\d+/")


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter, or on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


TOOL = "py-spy record --gil --function"


def record(pid: int, seconds: float, rate: int = 200) -> str:
    """Raw collapsed stacks of `pid` sampled for `seconds` (raises if py-spy fails)."""
    exe = py_spy()
    if exe is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        out = Path(tmp) / "stacks.txt"
        argv = [exe, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds)))]
        argv += ["--rate", str(rate), "--format", "raw", "--function", "--gil"]
        argv += ["--output", str(out)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"py-spy failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return out.read_text()


PROJECT_PACKAGES = ("services", "registry", "avrokit", "stack", "bench")


def short_file(path: str) -> str:
    """site-packages/fastavro/_write.pyx -> fastavro/_write.pyx; stdlib -> its module file;
    the project's files from their package down."""
    for pattern in (_SITE, _STDLIB):
        match = pattern.match(path)
        if match:
            return path[match.end() :]
    parts = Path(path).parts
    for root in PROJECT_PACKAGES:
        if root in parts:
            return "/".join(parts[parts.index(root) :])
    return path


def package_of(file: str) -> str:
    """fastavro/_write.pyx -> fastavro; json/encoder.py -> json; threading.py -> threading; the
    project's own files stay whole (services/runtime/store.py)."""
    if file.split("/", 1)[0] in PROJECT_PACKAGES:
        return file
    head = file.split("/", 1)[0]
    return head.removesuffix(".py")


def _frame_name(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame)
    if match is None:
        return frame, "?"
    file = short_file(match["file"])
    return f"{match['func']} ({file})", file


def summarize(raw: str, top: int = 15) -> dict[str, Any]:
    """Shares (percent of all samples) by self time, inclusive time and self time per file."""
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    by_package: Counter[str] = Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame_name(f) for f in stack.split(";") if f]
        if not frames:
            continue
        samples += count
        leaf, leaf_file = frames[-1]
        self_time[leaf] += count
        by_package[package_of(leaf_file)] += count
        for name in {name for name, _ in frames}:
            inclusive[name] += count

    def shares(counter: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"frame": name, "percent": round(100 * n / samples, 1)}
            for name, n in counter.most_common(top)
        ]

    return {
        "samples": samples,
        "top_self": shares(self_time) if samples else [],
        "top_inclusive": shares(inclusive) if samples else [],
        "self_by_package": shares(by_package) if samples else [],
    }
