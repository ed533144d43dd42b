"""A finding's field by its full path, and where it lands (a shared type's own contract)."""

from __future__ import annotations

from typing import Any

from gate.fieldpath import place

META: dict[str, Any] = {
    "type": "record",
    "name": "EventMetadata",
    "namespace": "shop.common",
    "fields": [
        {"name": "occurred_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
    ],
}
EVENT: dict[str, Any] = {
    "type": "record",
    "name": "InventoryReserved",
    "namespace": "shop.events",
    "fields": [
        {"name": "metadata", "type": "shop.common.EventMetadata"},
        {
            "name": "lines",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Line",
                    "fields": [{"name": "sku", "type": "string"}],
                },
            },
        },
        {"name": "by_sku", "type": {"type": "map", "values": "Line"}},
        {
            "name": "note",
            "type": ["null", {"type": "string", "logicalType": "uuid"}],
            "default": None,
        },
    ],
}
SHARED = {"shop.common.EventMetadata": META}


def test_fields_arrays_maps_and_unions_are_named_by_full_path() -> None:
    def path(pointer: str) -> str:
        return place("shop.events.InventoryReserved", EVENT, pointer, SHARED).path

    assert path("") == "shop.events.InventoryReserved"
    assert path("/fields/1/type/items/fields/0/type") == "shop.events.InventoryReserved.lines[].sku"
    assert path("/fields/1/type/items/name") == "shop.events.InventoryReserved.lines[]"
    assert path("/fields/3/type/1/logicalType") == "shop.events.InventoryReserved.note"
    assert path("/fields/3/default") == "shop.events.InventoryReserved.note"
    # through a reference to a type defined earlier in the same contract: named, located at the
    # reference (the text has no /values/fields/0)
    local = place("shop.events.InventoryReserved", EVENT, "/fields/2/type/values/fields/0", SHARED)
    assert local.path == "shop.events.InventoryReserved.by_sku{}.sku"
    assert local.pointer == "/fields/2/type/values"


def test_a_pointer_through_a_shared_type_lands_in_its_own_contract() -> None:
    where = place(
        "shop.events.InventoryReserved", EVENT, "/fields/0/type/fields/0/type/logicalType", SHARED
    )
    assert where.contract == "shop.common.EventMetadata"
    assert where.pointer == "/fields/0/type/logicalType"
    assert where.path == "shop.common.EventMetadata.occurred_at"
