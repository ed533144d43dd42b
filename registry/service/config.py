"""`/config`: compatibility levels, global and per subject."""

from __future__ import annotations

from typing import Any

from avrokit import CompatibilityLevel
from registry import errors
from registry.errors import ErrorCode, RegistryError
from registry.service.core import RegistryCore
from registry.storage import GLOBAL


class Config:
    def __init__(self, core: RegistryCore) -> None:
        self.core = core

    def get(self, subject: str | None, default_to_global: bool) -> dict[str, Any]:
        tx = self.core.store.reader()
        if subject is None:
            return {"compatibilityLevel": self.core.effective(tx, "config", None)}
        value = tx.get_setting("config", subject)
        if value is None:
            if not default_to_global:
                raise RegistryError(
                    ErrorCode.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                    f"Subject '{subject}' does not have subject-level compatibility configured",
                )
            value = self.core.effective(tx, "config", None)
        return {"compatibilityLevel": value}

    def set(self, subject: str | None, levels: list[Any]) -> dict[str, Any]:
        """Set the first of `levels`; each given one must be a level (42203), and one given."""
        try:
            parsed = [CompatibilityLevel.parse(level) for level in levels]
        except (ValueError, AttributeError):
            parsed = []
        if not parsed:
            raise RegistryError(
                ErrorCode.INVALID_COMPATIBILITY_LEVEL,
                "Invalid compatibility level. Valid values are none, backward, forward, full, "
                "backward_transitive, forward_transitive, and full_transitive",
            )
        with self.core.store.writer() as tx:
            tx.set_setting("config", GLOBAL if subject is None else subject, str(parsed[0]))
        return {"compatibility": str(parsed[0])}

    def delete(self, subject: str | None) -> dict[str, Any]:
        with self.core.store.writer() as tx:
            key = GLOBAL if subject is None else subject
            previous = tx.get_setting("config", key)
            if subject is not None and previous is None:  # Confluent: no config of its own
                raise errors.subject_not_found(subject)
            tx.delete_setting("config", key)
            return {"compatibilityLevel": previous or self.core.effective(tx, "config", None)}
