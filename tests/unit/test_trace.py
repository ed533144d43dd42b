"""The live trace `make run` prints: one readable line per saga event."""

from __future__ import annotations

from stack.trace import LABELS, RESET, format_line
from tests.samples import sample_events


def test_every_event_gets_a_labelled_line_with_its_key_facts() -> None:
    lines = {topic: format_line(event) for topic, event in sample_events()}
    assert all("order 5f0c7c1e" in line for line in lines.values())
    assert "Order Created" in lines["order_created"] and "33.90 EUR" in lines["order_created"]
    assert "AMOUNT_LIMIT_EXCEEDED" in lines["payment_failed"]
    assert "SKU-SOLDOUT: requested 1, available 0" in lines["inventory_failed"]
    assert "tracking DHL123456" in lines["order_shipped"]
    assert "SMS to alice [HIGH]" in lines["high_priority_notifications"]
    assert {type(e) for _, e in sample_events()} <= set(LABELS)


def test_colour_only_when_asked() -> None:
    (_, delivered), *_ = [(t, e) for t, e in sample_events() if t == "order_delivered"]
    assert RESET not in format_line(delivered)
    coloured = format_line(delivered, colour=True)
    assert coloured.startswith("\033[32m") and coloured.endswith(RESET)
