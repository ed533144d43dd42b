"""Notification handlers through the TestBus: saga events -> notifications -> channel senders."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from notification_factories import ORDER_ID, order_created, saga_events
from structlog.testing import capture_logs

from services.events import Channel, Notification, Priority
from services.notification import domain, handlers
from services.notification.bootstrap import (
    DEFAULT_PREFERENCES_FILE,
    NotificationSettings,
    create_app,
)
from services.runtime.app import ServiceApp
from services.runtime.processor import Outcome, RetryPolicy
from services.runtime.testing import TestBus
from services.runtime.unit_of_work import UnitOfWork

HIGH_TOPIC, LOW_TOPIC = "high_priority_notifications", "low_priority_notifications"


@pytest.fixture
def app(tmp_path: Path) -> ServiceApp:
    prefs = tmp_path / "prefs.json"
    prefs.write_text(json.dumps({"alice": "EMAIL", "bob": "SMS", "carol": "PUSH"}))
    return create_app(NotificationSettings(notification_preferences_file=prefs, data_dir=tmp_path))


@pytest.fixture
def bus(app: ServiceApp, tmp_path: Path) -> Iterator[TestBus]:
    yield TestBus(app, tmp_path=tmp_path)
    app.db.close()


def notifications(bus: TestBus) -> list[tuple[str, Notification]]:
    return [(t, n) for t in (HIGH_TOPIC, LOW_TOPIC) for n in bus.events_of(Notification, t)]


def sent(bus: TestBus) -> list[dict[str, str]]:
    rows = bus.apps[0].db.query("SELECT * FROM sent ORDER BY sent_at")
    return [dict(r) for r in rows]


def test_shipped_preferences_file_parses_with_the_demo_customers() -> None:
    raw = json.loads(DEFAULT_PREFERENCES_FILE.read_text())
    prefs = domain.parse_preferences(raw)
    assert prefs["alice"] is Channel.EMAIL
    assert prefs["bob"] is Channel.SMS
    assert prefs["carol"] is Channel.PUSH


def test_the_service_declares_both_topics_and_eight_groups(app: ServiceApp) -> None:
    assert {t for _, t in app.produces} == {HIGH_TOPIC, LOW_TOPIC}
    groups = app.groups()
    assert {s.topic for s in groups["notification"]} == {t.TOPICS[0] for t in domain.SAGA_EVENTS}
    for channel in ("email", "sms", "push"):
        assert [s.topic for s in groups[f"notification-{channel}-high"]] == [HIGH_TOPIC]
        assert [s.topic for s in groups[f"notification-{channel}-low"]] == [LOW_TOPIC]
    assert len(groups) == 8  # + notification-customers


@pytest.mark.parametrize("name", sorted(saga_events()))
def test_a_saga_event_becomes_one_notification_on_its_priority_topic(
    bus: TestBus, name: str
) -> None:
    bus.publish(order_created("bob"))
    bus.drain()
    event = saga_events()[name]
    bus.publish(event)
    bus.drain()

    about = [(t, n) for t, n in notifications(bus) if n.source_event == name]
    if name == "OrderCreated":  # the set-up's own OrderCreated, plus this one
        assert len(about) == 2
        about = about[1:]
    assert len(about) == 1
    topic, note = about[0]
    message = domain.describe(event)
    assert topic == domain.topic_for(message.priority)
    assert note.priority is message.priority
    assert (note.order_id, note.customer_id, note.channel) == (ORDER_ID, "bob", Channel.SMS)
    assert (note.title, note.body) == (message.title, message.body)
    assert note.metadata.causation_id == event.metadata.event_id
    assert note.metadata.correlation_id == event.metadata.correlation_id
    assert note.metadata.producer == "notification"
    assert bus.dead_letters() == []


@pytest.mark.parametrize(
    ("customer", "channel"),
    [("alice", Channel.EMAIL), ("carol", Channel.PUSH), ("zoe-unknown", Channel.EMAIL)],
)
def test_the_channel_follows_the_customer_preference(
    bus: TestBus, customer: str, channel: Channel
) -> None:
    bus.publish(order_created(customer))
    bus.drain()
    [(_, note)] = notifications(bus)
    assert note.channel is channel
    [row] = sent(bus)
    assert (row["channel"], row["customer_id"]) == (channel.value, customer)


def test_only_the_matching_channel_sends_and_it_logs_what_it_sent(bus: TestBus) -> None:
    with capture_logs() as logs:
        bus.publish(order_created("bob"))
        bus.publish(saga_events()["OrderDelivered"])
        bus.drain()

    rows = sent(bus)
    assert [(r["channel"], r["priority"]) for r in rows] == [("SMS", "LOW"), ("SMS", "HIGH")]
    assert {r["order_id"] for r in rows} == {str(ORDER_ID)}
    assert all(r["customer_id"] == "bob" for r in rows)
    assert rows[1]["title"] == "Order 1a2b3c4d delivered"

    sent_logs = [e for e in logs if e["event"] == "Notification sent"]
    assert [(e["channel"], e["priority"], e["order_id"]) for e in sent_logs] == [
        ("SMS", "LOW", str(ORDER_ID)),
        ("SMS", "HIGH", str(ORDER_ID)),
    ]
    assert sent_logs[1]["title"] == "Order 1a2b3c4d delivered"


def test_a_notification_delivered_twice_is_sent_once(bus: TestBus) -> None:
    bus.publish(order_created("carol"))
    bus.drain()
    [(topic, note)] = notifications(bus)

    bus.publish(note, topic=topic)  # a redelivery: the same notification again
    outcomes = bus.drain()
    # The PUSH group drops it as a duplicate; the other two channels skip it, as the first time.
    assert sorted(o.value for o in outcomes) == ["duplicate", "skipped", "skipped"]
    assert [(r["event_id"], r["channel"]) for r in sent(bus)] == [
        (str(note.metadata.event_id), "PUSH")
    ]


def test_other_channels_skip_a_notification_by_its_header_without_decoding_it(
    bus: TestBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[str] = []
    decode = bus.serde.deserialize

    def counting(data: bytes | None, topic: str) -> object:
        decoded.append(topic)
        return decode(data, topic)

    monkeypatch.setattr(bus.serde, "deserialize", counting)
    bus.publish(order_created("carol"))
    outcomes = bus.drain()
    [message] = bus.sink.topics[LOW_TOPIC]
    assert message.header("channel") == b"PUSH"
    assert message.header("event_type") == b"Notification"
    assert decoded.count(LOW_TOPIC) == 1  # by the PUSH sender only
    assert sorted(o.value for o in outcomes).count("skipped") == 2  # EMAIL and SMS senders


def test_the_sender_itself_sends_once_even_past_the_inbox(app: ServiceApp, bus: TestBus) -> None:
    """The UNIQUE record, not only the runtime's inbox, keeps a send to once."""
    bus.publish(order_created("carol"))
    bus.drain()
    [(_, note)] = notifications(bus)
    send_push = handlers.make_sender(Channel.PUSH)
    with capture_logs() as logs:
        for _ in range(2):
            with app.db.transaction() as conn:
                send_push(note, UnitOfWork(conn, bus.serde, "notification", note))
    assert len(sent(bus)) == 1
    assert not [e for e in logs if e["event"] == "Notification sent"]


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_other_channels_ignore_a_notification(
    app: ServiceApp, bus: TestBus, channel: Channel
) -> None:
    bus.publish(order_created("carol"))
    bus.drain()
    [(_, note)] = notifications(bus)
    app.db.query("DELETE FROM sent")  # so only what `channel` does now counts
    with app.db.transaction() as conn:
        handlers.make_sender(channel)(note, UnitOfWork(conn, bus.serde, "notification", note))
    assert sent(bus) == []


UNKNOWN_ORDER_EVENTS = sorted(set(saga_events()) - {"OrderCreated"})


@pytest.mark.parametrize("event_name", UNKNOWN_ORDER_EVENTS)
def test_an_event_for_an_unknown_order_retries_then_dead_letters(
    bus: TestBus, event_name: str
) -> None:
    stranger = uuid.UUID("99999999-0000-4000-8000-000000000009")
    with capture_logs() as logs:
        bus.publish(saga_events(stranger)[event_name])
        outcomes = bus.drain()

    assert outcomes == [Outcome.DEAD_LETTERED]
    assert [e["attempt"] for e in logs if e["event"] == "retrying"] == [1, 2]
    [dead] = bus.dead_letters()
    headers = {k: v.decode() for k, v in dead.headers}
    assert headers["dlq.consumer.group"] == "notification"
    assert headers["dlq.error.class"] == "retries_exhausted:unknown_order"
    assert headers["dlq.attempts"] == "3"
    assert f"order {stranger} is not known yet" in headers["dlq.error.message"]
    assert notifications(bus) == []


def test_the_customers_group_heals_an_event_that_overtook_its_order_created(
    app: ServiceApp, bus: TestBus
) -> None:
    """The `notification` group retries an early OrderShipped on its own thread; meanwhile the
    `notification-customers` thread learns the order, so the next attempt succeeds."""
    bus.publish(saga_events()["OrderShipped"])
    bus.publish(order_created("alice"))
    [shipped_msg] = bus.sink.topics["order_shipped"]
    [created_msg] = bus.sink.topics["order_created"]
    processor = {p.group: p for p in bus.processors}

    # Nothing known yet: one attempt fails with UnknownOrderError (transient).
    processor["notification"].retry = RetryPolicy(max_attempts=1)
    assert processor["notification"].process(shipped_msg) is Outcome.DEAD_LETTERED
    assert "not known yet" in dict(bus.dead_letters()[0].headers)["dlq.error.message"].decode()

    # The customers group alone (not the `notification` group) records the order ...
    assert processor["notification-customers"].process(created_msg) is Outcome.HANDLED
    # ... and the retried OrderShipped now goes through, before its OrderCreated's notification.
    assert processor["notification"].process(shipped_msg) is Outcome.HANDLED
    app.relay.relay()  # type: ignore[union-attr]
    [(topic, note)] = notifications(bus)
    assert (topic, note.source_event) == (LOW_TOPIC, "OrderShipped")
    assert (note.customer_id, note.channel) == ("alice", Channel.EMAIL)


def test_high_and_low_are_consumed_by_separate_groups(bus: TestBus) -> None:
    bus.publish(order_created("alice"))
    bus.publish(saga_events()["PaymentFailed"])
    bus.drain()
    by_group = {p.group: p.stats.handled for p in bus.processors}
    assert by_group["notification-email-low"] == 1  # OrderCreated
    assert by_group["notification-email-high"] == 1  # PaymentFailed
    assert [r["priority"] for r in sent(bus)] == [Priority.LOW.value, Priority.HIGH.value]


def test_each_app_keeps_its_own_preferences(tmp_path: Path) -> None:
    """No state at module level: two apps built with different files send by their own."""
    channels = []
    for preferred in ("SMS", "PUSH"):
        root = tmp_path / preferred
        root.mkdir()
        prefs = root / "prefs.json"
        prefs.write_text(json.dumps({"bob": preferred}))
        settings = NotificationSettings(notification_preferences_file=prefs, data_dir=root)
        bus = TestBus(create_app(settings), tmp_path=root)
        bus.publish(order_created("bob"))
        bus.drain()
        [(_, note)] = notifications(bus)
        channels.append(note.channel)
    assert channels == [Channel.SMS, Channel.PUSH]
