"""A second host for tests: a network namespace joined to this one by a veth pair.

The stack listens on `HOST_ADDRESS`, a loopback address (127.0.0.0/8) that this namespace also
gives to its end of the pair; the namespace's end has `GUEST_ADDRESS`, which exists only inside
the namespace the test creates.  Loopback addresses do not normally cross an interface, so both
ends allow it (`route_localnet`, on the two interfaces this creates), and inside the namespace
only 127.0.0.1 stays local, so that `HOST_ADDRESS` is routed over the pair.  Everything is
removed by `remove()`; `create()` raises `NamespaceUnavailable` with the reason where the machine
does not allow it (not root, no iproute2, no namespaces in this sandbox).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

HOST_ADDRESS = "127.203.0.1"
GUEST_ADDRESS = "10.203.0.2"


class NamespaceUnavailable(RuntimeError):
    pass


@dataclass
class Namespace:
    name: str
    host_if: str
    guest_if: str

    @property
    def prefix(self) -> tuple[str, ...]:
        """argv prefix that runs a command inside the namespace."""
        return ("ip", "netns", "exec", self.name)

    def remove(self) -> None:
        _ip("link", "del", self.host_if, check=False)  # takes its peer with it
        _ip("netns", "del", self.name, check=False)


def _ip(*args: str, netns: str | None = None, check: bool = True) -> None:
    argv = ["ip", *(["-n", netns] if netns else []), *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise NamespaceUnavailable(f"`{' '.join(argv)}` failed: {done.stderr.strip()}")


def _sysctl(key: str, value: str, netns: str | None = None) -> None:
    argv = [*(["ip", "netns", "exec", netns] if netns else []), "sysctl", "-qw", f"{key}={value}"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise NamespaceUnavailable(f"`{' '.join(argv)}` failed: {done.stderr.strip()}")


def create() -> Namespace:
    if os.geteuid() != 0:
        raise NamespaceUnavailable("needs root to create a network namespace")
    if shutil.which("ip") is None or shutil.which("sysctl") is None:
        raise NamespaceUnavailable("needs iproute2 (`ip`) and procps (`sysctl`)")
    tag = str(os.getpid())[-6:]
    ns = Namespace(f"shopevents{tag}", f"vse{tag}h", f"vse{tag}g")
    try:
        _ip("netns", "add", ns.name)
        _ip("link", "add", ns.host_if, "type", "veth", "peer", "name", ns.guest_if)
        _ip("link", "set", ns.guest_if, "netns", ns.name)
        _ip("addr", "add", f"{HOST_ADDRESS}/32", "dev", ns.host_if)
        _sysctl(f"net.ipv4.conf.{ns.host_if}.route_localnet", "1")
        _ip("link", "set", ns.host_if, "up")
        _ip("route", "add", f"{GUEST_ADDRESS}/32", "dev", ns.host_if, "src", HOST_ADDRESS)
        _ip("link", "set", "lo", "up", netns=ns.name)
        _ip("addr", "add", f"{GUEST_ADDRESS}/32", "dev", ns.guest_if, netns=ns.name)
        _ip("link", "set", ns.guest_if, "up", netns=ns.name)
        _sysctl(f"net.ipv4.conf.{ns.guest_if}.route_localnet", "1", ns.name)
        _ip("route", "del", "table", "local", "127.0.0.0/8", "dev", "lo", netns=ns.name)
        _ip("route", "add", f"{HOST_ADDRESS}/32", "dev", ns.guest_if, netns=ns.name)
    except NamespaceUnavailable:
        ns.remove()
        raise
    return ns
