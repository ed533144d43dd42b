"""Shipments: carrier and tracking number derived from the order id, so a replay or a retry of
the same order always gets the same parcel. No I/O."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

SHIPMENT_NAMESPACE = uuid.UUID("3a8e2d51-7c44-4b0f-a1c9-5e6f0d2b8c37")
# carrier name -> tracking number prefix
CARRIERS: tuple[tuple[str, str], ...] = (("DHL", "JD"), ("UPS", "1Z"), ("PostNL", "3S"))


@dataclass(frozen=True)
class Shipment:
    shipment_id: str
    order_id: uuid.UUID
    carrier: str
    tracking_number: str


def _digest(order_id: uuid.UUID) -> str:
    return hashlib.sha256(f"shipment:{order_id}".encode()).hexdigest()


def create_shipment(order_id: uuid.UUID) -> Shipment:
    digest = _digest(order_id)
    carrier, prefix = CARRIERS[int(digest[:8], 16) % len(CARRIERS)]
    tracking = prefix + str(int(digest[8:24], 16)).zfill(20)[:16]
    shipment_id = f"shp_{uuid.uuid5(SHIPMENT_NAMESPACE, str(order_id)).hex[:20]}"
    return Shipment(shipment_id, order_id, carrier, tracking)
