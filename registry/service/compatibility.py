"""`/compatibility`: would a schema pass a subject's compatibility level (without registering)?"""

from __future__ import annotations

from typing import Any

from avrokit import CompatibilityLevel
from avrokit.compatibility import Incompatibility
from registry import errors
from registry.service.core import RegistryCore, SchemaInput, checked, describe
from registry.service.rows import parse_version


class Compatibility:
    def __init__(self, core: RegistryCore) -> None:
        self.core = core

    def test(
        self, subject: str, version: str | None, body: SchemaInput, normalize: bool, verbose: bool
    ) -> dict[str, Any]:
        """Against one version (`version` given: checked whatever the transitivity) or against
        the subject's history at its level (`version` None)."""
        tx = self.core.store.reader()
        parsed, _ = self.core.parse_input(tx, body, normalize)
        live = tx.versions(subject)
        number = parse_version(version) if version is not None else None
        if number is not None:
            targets = [r for r in live if r.version == number]
            if not targets:
                raise errors.version_not_found(number)
        elif version is not None:
            targets = live[-1:]
        else:
            targets = live
        level = CompatibilityLevel(self.core.effective(tx, "config", subject))
        found: list[Incompatibility] = []
        if targets:
            if version is not None:  # one given version: check it whatever the transitivity
                history = [(v.version, self.core.parsed(tx, v.schema_id)) for v in targets]
                found = checked(parsed, history[-1:], level)
            else:
                found = self.core.incompatibilities(tx, parsed, targets, level)
        result: dict[str, Any] = {"is_compatible": not found}
        if verbose:
            result["messages"] = describe(found)
        return result
