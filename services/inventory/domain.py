"""Reservation rules: all lines of an order or none, and a release happens once. No I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

RESERVATION_NAMESPACE = uuid.UUID("0b6f7c4e-2f1a-4d8e-8c55-7d3b1f9e4a10")

RESERVED = "RESERVED"
RELEASED = "RELEASED"
FAILED = "FAILED"


@dataclass(frozen=True)
class Shortfall:
    sku: str
    requested: int
    available: int

    def __str__(self) -> str:
        return f"{self.sku}: requested {self.requested}, available {self.available}"


@dataclass
class Reservation:
    reservation_id: str
    order_id: uuid.UUID
    lines: dict[str, int]  # sku -> quantity
    status: str = RESERVED
    shortfalls: list[Shortfall] = field(default_factory=list)

    def release(self) -> dict[str, int]:
        """Stock to give back: the lines the first time, nothing after (or if never reserved)."""
        if self.status != RESERVED:
            return {}
        self.status = RELEASED
        return dict(self.lines)


def reservation_id_for(order_id: uuid.UUID) -> str:
    return f"res_{uuid.uuid5(RESERVATION_NAMESPACE, str(order_id)).hex[:20]}"


def totals(lines: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Sum quantities per sku (an order may list one sku twice)."""
    out: dict[str, int] = {}
    for sku, quantity in lines:
        out[sku] = out.get(sku, 0) + quantity
    return out


def reserve(
    order_id: uuid.UUID, lines: Iterable[tuple[str, int]], stock: Mapping[str, int]
) -> Reservation:
    """Reserve every line or none: a FAILED reservation names each sku that is short."""
    wanted = totals(lines)
    shortfalls = [
        Shortfall(sku, qty, stock.get(sku, 0))
        for sku, qty in sorted(wanted.items())
        if qty > stock.get(sku, 0)
    ]
    status = FAILED if shortfalls else RESERVED
    return Reservation(reservation_id_for(order_id), order_id, wanted, status, shortfalls)


def shortfall_detail(shortfalls: Iterable[Shortfall]) -> str:
    return "; ".join(str(s) for s in shortfalls)


def parse_seed(data: object) -> dict[str, int]:
    """Validate a seed mapping sku -> non-negative quantity."""
    if not isinstance(data, dict):
        raise ValueError("stock seed must be a mapping of sku -> quantity")
    seed: dict[str, int] = {}
    for sku, qty in data.items():
        if not isinstance(sku, str) or not isinstance(qty, int) or isinstance(qty, bool) or qty < 0:
            raise ValueError(f"stock seed entry {sku!r}: {qty!r} is not a non-negative integer")
        seed[sku] = qty
    return seed
