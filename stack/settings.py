"""What the stack's commands (`python -m stack ...`) read besides the addresses every process
reads: where the services' ops endpoints are, and how topics are created in this environment."""

from __future__ import annotations

from services.runtime.settings import Settings
from stack.health import OpsUrls


class StackSettings(Settings):
    # base URLs of the services' /health and /metrics, comma-separated (`make status`); unset:
    # the embedded stack's own list
    ops_urls: OpsUrls = ""
    # overrides of the catalog for this environment (see contracts/catalog.yaml topic_defaults)
    topic_replication_factor: int | None = None
    topic_partitions: dict[str, int] = {}
