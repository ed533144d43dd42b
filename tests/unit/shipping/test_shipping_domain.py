"""Shipments are derived from the order id: same order, same carrier and tracking number."""

from __future__ import annotations

import re
import uuid

from services.shipping.domain import CARRIERS, create_shipment

ORDER = uuid.UUID("11111111-2222-3333-4444-555555555555")


def test_the_same_order_always_gets_the_same_shipment() -> None:
    assert create_shipment(ORDER) == create_shipment(uuid.UUID(str(ORDER)))


def test_tracking_number_has_the_carrier_prefix_and_16_digits() -> None:
    shipment = create_shipment(ORDER)
    prefix = dict(CARRIERS)[shipment.carrier]
    assert re.fullmatch(re.escape(prefix) + r"\d{16}", shipment.tracking_number)
    assert shipment.shipment_id.startswith("shp_")
    assert shipment.order_id == ORDER


def test_different_orders_get_different_tracking_and_use_every_carrier() -> None:
    shipments = [create_shipment(uuid.uuid4()) for _ in range(200)]
    assert len({s.tracking_number for s in shipments}) == 200
    assert len({s.shipment_id for s in shipments}) == 200
    assert {s.carrier for s in shipments} == {name for name, _ in CARRIERS}
