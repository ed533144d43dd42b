"""The registry's use cases (Karapace's "controller"), one module per REST resource over a
shared core.

Routers parse HTTP and call `Registry.<resource>.<operation>`; operations raise `RegistryError`
with Confluent's error codes. Layout:

- `core.py`: the store, the read cache (`cache.py`) and the steps several resources share;
- `rows.py`: stored rows as API payloads, version lookup, paging;
- `references.py`: resolving schema references; `identity.py`: fingerprints and guids;
- `subjects.py`, `registration.py`, `schemas.py`, `compatibility.py`, `config.py`, `mode.py`:
  the operations of each resource.
"""

from __future__ import annotations

from registry.service.compatibility import Compatibility
from registry.service.config import Config
from registry.service.core import SCHEMA_TYPES, RegistryCore, SchemaInput
from registry.service.identity import rekey_reduced_primitives
from registry.service.mode import Mode
from registry.service.registration import Registration
from registry.service.schemas import Schemas
from registry.service.subjects import Subjects
from registry.storage import Storage

__all__ = ["SCHEMA_TYPES", "Registry", "SchemaInput"]


class Registry:
    """Every resource's operations over one store and one read cache."""

    def __init__(self, storage: Storage) -> None:
        rekey_reduced_primitives(storage)
        self.core = RegistryCore(storage)
        self.subjects = Subjects(self.core)
        self.registration = Registration(self.core)
        self.schemas = Schemas(self.core)
        self.compatibility = Compatibility(self.core)
        self.config = Config(self.core)
        self.mode = Mode(self.core)
