"""How long delivery still waits: the configured delay less the time already queued."""

from __future__ import annotations

import datetime

from services.delivery.domain import remaining_delay

T0 = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)


def test_a_fresh_shipment_waits_the_whole_delay() -> None:
    assert remaining_delay(T0, T0, 0.5) == 0.5


def test_time_spent_queued_counts_as_travel() -> None:
    assert remaining_delay(T0, T0 + datetime.timedelta(seconds=0.2), 0.5) == 0.5 - 0.2
    assert remaining_delay(T0, T0 + datetime.timedelta(seconds=3), 0.5) == 0.0


def test_never_longer_than_the_delay_even_with_clock_skew() -> None:
    assert remaining_delay(T0 + datetime.timedelta(seconds=10), T0, 0.5) == 0.5
    assert remaining_delay(T0, T0, 0.0) == 0.0
