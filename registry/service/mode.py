"""`/mode`: READWRITE, READONLY(_OVERRIDE) and IMPORT, global and per subject."""

from __future__ import annotations

from typing import Any

from registry import errors
from registry.errors import ErrorCode, RegistryError
from registry.service.core import MODES, RegistryCore
from registry.storage import GLOBAL


class Mode:
    def __init__(self, core: RegistryCore) -> None:
        self.core = core

    def get(self, subject: str | None, default_to_global: bool) -> dict[str, Any]:
        tx = self.core.store.reader()
        if subject is None:
            return {"mode": self.core.effective(tx, "modes", None)}
        value = tx.get_setting("modes", subject)
        if value is None:
            if not default_to_global:
                raise RegistryError(
                    ErrorCode.SUBJECT_LEVEL_MODE_NOT_CONFIGURED,
                    f"Subject '{subject}' does not have subject-level mode configured",
                )
            value = self.core.effective(tx, "modes", None)
        return {"mode": value}

    def set(self, subject: str | None, mode: Any, force: bool) -> dict[str, Any]:
        value = mode.strip().upper() if isinstance(mode, str) else None
        if value not in MODES:
            raise RegistryError(
                ErrorCode.INVALID_MODE,
                f"Invalid mode {mode!r}. Valid values are READWRITE, READONLY, "
                "READONLY_OVERRIDE, IMPORT",
            )
        with self.core.store.writer() as tx:
            if value == "IMPORT" and not force:
                has_schemas = tx.versions(subject) if subject is not None else tx.subjects()
                if has_schemas:
                    raise errors.operation_not_permitted(
                        "Cannot import since found existing subjects; use force=true to override"
                    )
            tx.set_setting("modes", GLOBAL if subject is None else subject, value)
        return {"mode": value}

    def delete(self, subject: str) -> dict[str, Any]:
        with self.core.store.writer() as tx:
            previous = tx.get_setting("modes", subject)
            if previous is None and not tx.versions(subject, True):
                raise errors.subject_not_found(subject)
            tx.delete_setting("modes", subject)
            return {"mode": previous or self.core.effective(tx, "modes", None)}
