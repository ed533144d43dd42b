"""Compatibility levels, as Confluent names them."""

from __future__ import annotations

from enum import StrEnum


class CompatibilityLevel(StrEnum):
    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def transitive(self) -> bool:
        return self.endswith("_TRANSITIVE")

    @property
    def backward(self) -> bool:
        """New schema must read data written with the previous one(s)."""
        return self.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        """Previous schema(s) must read data written with the new one."""
        return self.startswith(("FORWARD", "FULL"))

    @classmethod
    def parse(cls, value: str) -> CompatibilityLevel:
        """Case-insensitive lookup; raises ValueError for unknown levels."""
        return cls(value.strip().upper())
