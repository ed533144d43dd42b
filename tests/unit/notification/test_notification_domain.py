"""The notification texts, priorities and channel choice, as plain functions."""

from __future__ import annotations

import pytest
from notification_factories import ORDER_ID, saga_events

from services.events import Channel, Priority
from services.notification import domain

HIGH = {"PaymentFailed", "InventoryFailed", "PaymentRefunded", "OrderCancelled", "OrderDelivered"}
LOW = {"OrderCreated", "OrderPaid", "InventoryReserved", "OrderShipped"}

# Key facts each notification must tell the customer (besides the order's short id).
FACTS = {
    "OrderCreated": ["42.00 EUR", "3 item"],
    "OrderPaid": ["Payment received for order 1a2b3c4d: 42.00 EUR"],
    "PaymentFailed": ["9000.00 EUR", "declined", "above the card's limit"],
    "InventoryReserved": ["2 x SKU-MUG", "1 x SKU-TEE"],
    "InventoryFailed": ["SKU-UNOBTAINIUM", "refunded"],
    "PaymentRefunded": ["refunded 42.00 EUR", "pay-77", "items out of stock"],
    "OrderCancelled": ["cancelled", "out of stock"],
    "OrderShipped": ["Your order is on its way: tracking ABC123", "DHL"],
    "OrderDelivered": ["delivered", "2026-11-05 14:03 UTC"],
}


def test_every_saga_event_has_a_notification_and_nothing_else_does() -> None:
    assert {t.__name__ for t in domain.SAGA_EVENTS} == HIGH | LOW
    with pytest.raises(TypeError, match="no notification for str"):
        domain.describe("not an event")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(HIGH | LOW))
def test_priority_per_event_type(name: str) -> None:
    message = domain.describe(saga_events()[name])
    assert message.priority is (Priority.HIGH if name in HIGH else Priority.LOW)


@pytest.mark.parametrize("name", sorted(FACTS))
def test_texts_name_the_order_and_the_key_facts(name: str) -> None:
    message = domain.describe(saga_events()[name])
    short = str(ORDER_ID)[:8]
    assert short == "1a2b3c4d"
    assert short in message.title
    assert short in message.body
    for fact in FACTS[name]:
        assert fact in message.body, (fact, message.body)


def test_titles_differ_per_event_type() -> None:
    titles = [domain.describe(e).title for e in saga_events().values()]
    assert len(set(titles)) == len(titles)


def test_priority_picks_the_topic_and_the_sender_group() -> None:
    assert domain.topic_for(Priority.HIGH) == "high_priority_notifications"
    assert domain.topic_for(Priority.LOW) == "low_priority_notifications"
    assert domain.sender_group(Channel.SMS, Priority.HIGH) == "notification-sms-high"
    assert domain.sender_group(Channel.EMAIL, Priority.LOW) == "notification-email-low"


def test_channel_from_preference_and_email_for_unknown_customers() -> None:
    prefs = domain.parse_preferences({"alice": "EMAIL", "bob": "sms", "carol": "PUSH"})
    assert prefs == {"alice": Channel.EMAIL, "bob": Channel.SMS, "carol": Channel.PUSH}
    assert domain.channel_for("bob", prefs) is Channel.SMS
    assert domain.channel_for("carol", prefs) is Channel.PUSH
    assert domain.channel_for("zoe", prefs) is Channel.EMAIL


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"bob": "PIGEON"}, "customer 'bob': unknown channel 'PIGEON'"),
        (["bob"], "must be a JSON object"),
    ],
)
def test_bad_preferences_fail_naming_the_entry(raw: object, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        domain.parse_preferences(raw)
