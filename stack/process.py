"""Start a child process, wait until it answers, and always stop it again.

Every process the stack or a test starts goes through `ManagedProcess`, so that none is left
behind: it runs in its own session (its whole group is signalled on stop), and an `atexit` hook
stops whatever is still running when the parent exits, even after a failed test.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

_RUNNING: set[ManagedProcess] = set()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback only
            return 200 <= response.status < 300
    except OSError:
        return False


class ProcessFailed(RuntimeError):
    """A managed process exited or never became ready."""


class ManagedProcess:
    """One child process with a name, a log file and a readiness probe."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        ready: Callable[[], bool],
        log_path: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
        url: str = "",
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.ready = ready
        self.log_path = log_path
        self.env = env
        self.cwd = cwd
        self.user = user  # run as this system user (needs root)
        self.stop_signal = stop_signal  # PostgreSQL wants SIGINT: SIGTERM waits for its clients
        self.url = url  # where it answers (a service: its ops base URL), if anyone needs to know
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 30.0) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        env = {**os.environ, **(self.env or {})}
        self.proc = subprocess.Popen(  # noqa: S603 - argv is ours
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=self.cwd,
            start_new_session=True,
            user=self.user,
        )
        log.close()
        _RUNNING.add(self)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ProcessFailed(
                    f"{self.name} exited with code {self.proc.returncode if self.proc else '?'}"
                    f" before it was ready; see {self.log_path}:\n{self.tail()}"
                )
            if self.ready():
                return
            time.sleep(0.1)
        self.stop()
        raise ProcessFailed(f"{self.name} not ready after {timeout:.0f}s; see {self.log_path}")

    def detach(self) -> int:
        """Let the process outlive this one (`make up`); return its pid for `make down`."""
        _RUNNING.discard(self)
        assert self.proc is not None
        return self.proc.pid

    def stop(self, timeout: float = 10.0) -> None:
        """Signal the process group (SIGTERM unless told otherwise), then SIGKILL whatever is left
        after `timeout`."""
        _RUNNING.discard(self)
        if not self.proc or self.proc.poll() is not None:
            return
        self._signal(self.stop_signal)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.proc.wait(5)

    def kill(self) -> None:
        """SIGKILL at once: a crash, as chaos tests want it."""
        _RUNNING.discard(self)
        if self.proc and self.proc.poll() is None:
            self._signal(signal.SIGKILL)
            self.proc.wait(5)

    def _signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def stop_pid(pid: int, timeout: float = 15.0) -> bool:
    """SIGTERM a detached process group, SIGKILL it after `timeout`; True if it was running."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    return True


def python_module(module: str, *args: str) -> list[str]:
    """argv that runs `python -m module args` with this interpreter."""
    return [sys.executable, "-m", module, *args]


@atexit.register
def _stop_all() -> None:
    for process in list(_RUNNING):
        process.stop(timeout=5)
