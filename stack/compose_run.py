"""Run docker-compose.yml's own commands and environments as local processes ("compose-shaped").

There is no Docker daemon here, so the compose file is exercised without one: every service built
from our image runs its compose `command` with its compose `environment` (over the image's `ENV`
from the Dockerfile), in an empty working directory of its own, started in `depends_on` order and
waited on by its own compose healthcheck.  What a container would get from Docker is rewritten:

- host names become loopback: `svc:PORT` -> `127.0.0.1:<port of that service here>`; services
  built from other images (kafka, postgres) are substitutes we start (`substitutes`);
- each instance listens on free ports: `0.0.0.0` -> `127.0.0.1`, the ports it serves (`expose`,
  `--port N`) -> free ones, in its environment, command and healthcheck alike;
- named volumes -> directories under the run's root (shared by the replicas, as on one host);
- a URL naming a scaled service (OPS_URLS) lists every replica, as Docker's DNS would.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stack.compose import DOCKERFILE, ComposeFile, ComposeService
from stack.process import ManagedProcess, free_port

CONDITIONS_MET = ("service_started", "service_healthy", "service_completed_successfully")


def image_env(dockerfile: Path = DOCKERFILE) -> dict[str, str]:
    """The ENV of the Dockerfile's final stage (what every container of our image starts with)."""
    final = dockerfile.read_text().split("\nFROM ")[-1]
    env: dict[str, str] = {}
    for match in re.finditer(r"^ENV (.+?)(?<!\\)$", final.replace("\\\n", " "), re.M):
        for pair in match.group(1).split():
            key, _, value = pair.partition("=")
            env[key] = value
    return env


@dataclass
class Instance:
    service: ComposeService
    number: int
    ports: dict[int, int]  # container port -> loopback port
    process: ManagedProcess | None = None

    @property
    def label(self) -> str:
        return f"{self.service.name}-{self.number}"


@dataclass
class ComposeRun:
    compose: ComposeFile
    root: Path
    substitutes: dict[str, str]  # compose service -> "host:port" of what stands in for it
    scale: dict[str, int] = field(default_factory=dict)
    say: Callable[[str], None] = print
    instances: dict[str, list[Instance]] = field(default_factory=dict)

    # -- rewriting ------------------------------------------------------------------------------

    def _address(self, host: str, port: int) -> list[str]:
        if host in self.substitutes:
            return [self.substitutes[host]]
        found = self.instances.get(host)
        if not found:
            return []
        return [f"127.0.0.1:{i.ports.get(port, port)}" for i in found]

    def rewrite(self, text: str, own: Instance | None) -> str:
        """One string of a service's environment, command or healthcheck, made local."""
        if own is not None:
            for inner, outer in own.ports.items():
                text = re.sub(
                    rf"(0\.0\.0\.0|127\.0\.0\.1|localhost):{inner}\b", f"127.0.0.1:{outer}", text
                )
                text = re.sub(rf"--port {inner}\b", f"--port {outer}", text)
            text = text.replace("--host 0.0.0.0", "--host 127.0.0.1")
            text = re.sub(r"(^|[\s=])/data\b", rf"\g<1>{self._volume_dir(own)}", text)

        def local(match: re.Match[str]) -> str:
            scheme, host, port = match.group(1) or "", match.group(2), int(match.group(3))
            addresses = self._address(host, port)
            if not addresses:
                return match.group(0)
            return ",".join(f"{scheme}{a}" for a in addresses)

        return re.sub(r"(\w+://)?\b([a-z][\w-]*):(\d+)\b", local, text)

    def _volume_dir(self, instance: Instance) -> Path:
        for mount in instance.service.spec.get("volumes") or []:
            name, _, target = str(mount).partition(":")
            if target.split(":")[0] == "/data":
                return self.root / "volumes" / name
        return self.root / "containers" / instance.label / "data"

    def environment(self, instance: Instance) -> dict[str, str]:
        env = {**image_env(), **instance.service.environment}
        if env.get("OPS_HOST") == "0.0.0.0":
            env["OPS_HOST"] = "127.0.0.1"
        if "OPS_PORT" in env:
            env["OPS_PORT"] = str(instance.ports.get(int(env["OPS_PORT"]), env["OPS_PORT"]))
        local = {k: self.rewrite(v, instance) for k, v in env.items()}
        bin_dir = str(Path(sys.executable).parent)  # `python` in commands is this interpreter
        return {**local, "PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(self.root)}

    def argv(self, argv: list[str], instance: Instance) -> list[str]:
        out = [self.rewrite(a, instance) for a in argv]
        for i in range(1, len(out)):  # `--port 8081`, `--host 0.0.0.0` as separate tokens
            if out[i - 1] == "--port" and out[i].isdigit():
                out[i] = str(instance.ports.get(int(out[i]), out[i]))
            elif out[i - 1] == "--host" and out[i] == "0.0.0.0":
                out[i] = "127.0.0.1"
        return [sys.executable, *out[1:]] if out and out[0] in ("python", "python3") else out

    # -- running --------------------------------------------------------------------------------

    def plan(self) -> list[list[ComposeService]]:
        """Our services in start order: each level depends only on earlier ones."""
        ours = [s for s in self.compose.started_by_default() if s.name not in self.substitutes]
        done, levels = set(self.substitutes), []
        while ours:
            level = [s for s in ours if set(s.depends_on) <= done]
            if not level:
                raise RuntimeError(f"depends_on cycle among {[s.name for s in ours]}")
            levels.append(level)
            done |= {s.name for s in level}
            ours = [s for s in ours if s.name not in done]
        return levels

    def allocate(self, service: ComposeService) -> list[Instance]:
        served = {int(p) for p in service.spec.get("expose", [])}
        served |= {int(p) for p in re.findall(r"--port (\d+)", str(service.spec.get("command")))}
        count = self.scale.get(service.name, 1)
        found = [
            Instance(service, n, {p: free_port() for p in sorted(served)})
            for n in range(1, count + 1)
        ]
        self.instances[service.name] = found
        return found

    def up(self, timeout_s: float = 180) -> None:
        levels = self.plan()
        for level in levels:  # ports first: a service's env may name any other service
            for service in level:
                self.allocate(service)
        for level in levels:
            started = []
            for service in level:
                for instance in self.instances[service.name]:
                    if service.is_job:
                        self.run_job(instance, timeout_s)
                    else:
                        self.start(instance)
                        started.append(instance)
            for instance in started:
                self.wait_healthy(instance, timeout_s)

    def run_job(
        self, instance: Instance, timeout_s: float, service: ComposeService | None = None
    ) -> str:
        """Run a one-shot service to completion (its command as compose gives it to `sh`)."""
        spec = (service or instance.service).spec
        command = spec["command"]
        argv = ["sh", "-c", command] if isinstance(command, str) else [str(a) for a in command]
        argv = self.argv(argv, instance)
        cwd = self._workdir(instance)
        result = subprocess.run(  # noqa: S603 - the compose file's own command
            argv,
            cwd=cwd,
            env=self.environment(instance),
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        (self.root / "log" / f"{instance.label}.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise RuntimeError(
                f"{instance.label} exited {result.returncode}: {result.stderr[-2000:]}"
            )
        self.say(f"{instance.label}: completed successfully")
        return result.stdout

    def start(self, instance: Instance) -> None:
        (argv,) = instance.service.commands
        instance.process = ManagedProcess(
            instance.label,
            self.argv(argv, instance),
            lambda: True,  # started; healthy is the healthcheck's call (wait_healthy)
            self.root / "log" / f"{instance.label}.log",
            env=self.environment(instance),
            cwd=self._workdir(instance),
        ).start()
        self.say(f"{instance.label}: started (pid {instance.process.pid})")

    def wait_healthy(self, instance: Instance, timeout_s: float) -> None:
        check = instance.service.healthcheck
        assert check is not None and instance.process is not None
        argv = self.argv(check, instance)
        env = self.environment(instance)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not instance.process.alive():
                raise RuntimeError(f"{instance.label} exited: {instance.process.tail(10)}")
            if subprocess.run(argv, env=env, capture_output=True, timeout=30).returncode == 0:  # noqa: S603
                self.say(f"{instance.label}: healthy ({' '.join(check)})")
                return
            time.sleep(1.0)
        raise RuntimeError(
            f"{instance.label} not healthy after {timeout_s:.0f}s: {instance.process.tail(10)}"
        )

    def _workdir(self, instance: Instance) -> Path:
        path = self.root / "containers" / instance.label / "app"
        path.mkdir(parents=True, exist_ok=True)
        (self.root / "log").mkdir(parents=True, exist_ok=True)
        self._volume_dir(instance).mkdir(parents=True, exist_ok=True)
        return path

    def url(self, service: str, port: int, number: int = 1) -> str:
        return f"http://127.0.0.1:{self.instances[service][number - 1].ports[port]}"

    def down(self) -> None:
        for found in reversed(list(self.instances.values())):
            for instance in found:
                if instance.process is not None:
                    instance.process.stop(timeout=20)
