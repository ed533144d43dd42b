"""Reservation rules: all or none, shortfalls named, released once; seed validation."""

from __future__ import annotations

import uuid

import pytest

from services.inventory.domain import (
    FAILED,
    RELEASED,
    RESERVED,
    Shortfall,
    parse_seed,
    reservation_id_for,
    reserve,
    shortfall_detail,
)

ORDER = uuid.UUID("11111111-2222-3333-4444-555555555555")
STOCK = {"SKU-BOOK": 10, "SKU-RARE": 1, "SKU-SOLDOUT": 0}


def test_reserves_every_line_when_all_are_in_stock() -> None:
    res = reserve(ORDER, [("SKU-BOOK", 3), ("SKU-RARE", 1)], STOCK)
    assert res.status == RESERVED
    assert res.lines == {"SKU-BOOK": 3, "SKU-RARE": 1}
    assert res.shortfalls == []
    assert res.reservation_id == reservation_id_for(ORDER)


def test_one_short_line_fails_the_whole_order_and_names_it() -> None:
    res = reserve(ORDER, [("SKU-BOOK", 3), ("SKU-RARE", 3), ("SKU-GHOST", 1)], STOCK)
    assert res.status == FAILED
    assert res.shortfalls == [Shortfall("SKU-GHOST", 1, 0), Shortfall("SKU-RARE", 3, 1)]
    assert shortfall_detail(res.shortfalls) == (
        "SKU-GHOST: requested 1, available 0; SKU-RARE: requested 3, available 1"
    )
    assert res.release() == {}  # nothing was held


def test_repeated_skus_are_summed_before_checking() -> None:
    res = reserve(ORDER, [("SKU-BOOK", 6), ("SKU-BOOK", 6)], STOCK)
    assert res.status == FAILED
    assert res.shortfalls == [Shortfall("SKU-BOOK", 12, 10)]


def test_a_reservation_is_released_once() -> None:
    res = reserve(ORDER, [("SKU-BOOK", 3)], STOCK)
    assert res.release() == {"SKU-BOOK": 3}
    assert res.status == RELEASED
    assert res.release() == {}


def test_seed_must_map_skus_to_non_negative_integers() -> None:
    assert parse_seed({"SKU-A": 3, "SKU-B": 0}) == {"SKU-A": 3, "SKU-B": 0}
    for bad in ([1, 2], {"SKU-A": -1}, {"SKU-A": "3"}, {"SKU-A": True}):
        with pytest.raises(ValueError):
            parse_seed(bad)
