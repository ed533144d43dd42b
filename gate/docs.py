"""`gate docs`: docs/asyncapi.yaml (AsyncAPI 3.0) and docs/catalog.md from the catalog."""

from __future__ import annotations

from pathlib import Path

from gate.context import Repo


def write(repo: Repo) -> list[Path]:
    return []
