"""The operations console in a real browser (headless Chromium), on a stack of its own.

Place an order through the form and watch its timeline reach DELIVERED; see the API's validation
next to the fields; diff two versions of a subject; check a breaking candidate; find a poison
message in the DLQ, redrive it and see the redrive count change; every page without console
errors.  Screenshots land in var/artifacts/console/.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from playwright.sync_api import BrowserContext, expect

from stack.stack import Stack
from tests.e2e.browser import WatchedPage, browser
from tests.e2e.conftest import running_stack

V1 = {
    "type": "record",
    "name": "Demo",
    "namespace": "console.test",
    "fields": [{"name": "id", "type": "string"}],
}
GIFT_WRAP = {"name": "gift_wrap", "type": ["null", "boolean"], "default": None}
V2 = {**V1, "fields": [*V1["fields"], GIFT_WRAP]}
BREAKING = {**V2, "fields": [*V2["fields"], {"name": "priority", "type": "int"}]}
DEMO_SUBJECT = "console_demo-value"
LIVE_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def console_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("console-stack"), "console") as running:
        running.start_console()
        yield running


@pytest.fixture(scope="module")
def context(console_stack: Stack) -> Iterator[BrowserContext]:
    with browser() as ctx:
        yield ctx


@pytest.fixture
def page(context: BrowserContext, console_stack: Stack) -> Iterator[WatchedPage]:
    watched = WatchedPage(context.new_page())
    watched.page.set_default_timeout(20_000)
    yield watched
    watched.page.close()


def url(stack: Stack, path: str) -> str:
    return stack.config.console_url + path


def test_place_an_order_and_watch_its_timeline_reach_delivered(
    page: WatchedPage, console_stack: Stack
) -> None:
    p = page.page
    p.goto(url(console_stack, "/orders"))
    p.fill("input[name=customer_id]", "browser-alice")
    p.locator("input[name=sku]").nth(0).fill("SKU-BOOK")
    p.locator("input[name=quantity]").nth(0).fill("2")
    p.locator("input[name=unit_price]").nth(0).fill("12.50")
    page.screenshot("orders-form-filled")
    p.click("button:has-text('Place order')")
    p.wait_for_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    order_id = p.url.rsplit("/", 1)[1]

    # no reload: the page refreshes its timeline in place until the saga ends
    expect(p.locator("#order-status")).to_have_text("DELIVERED", timeout=LIVE_TIMEOUT_MS)
    timeline = p.locator("table.timeline tbody")
    expect(timeline.locator("tr", has_text="order_delivered")).to_have_count(1)
    for topic in ("order_created", "order_paid", "inventory_reserved", "order_shipped"):
        expect(timeline.locator("tr", has_text=topic)).to_have_count(1)
    delivered = timeline.locator("tr", has_text="order_delivered")
    expect(delivered).to_contain_text("order_delivered-value v1")  # schema subject and version
    expect(delivered.locator("a", has_text="Shipping")).to_have_count(1)  # its causation link
    page.screenshot("order-timeline-delivered")

    p.goto(url(console_stack, "/orders?customer=browser-alice"))
    row = p.locator("#orders tbody tr", has_text=order_id)
    expect(row).to_contain_text("DELIVERED")
    page.assert_no_errors()


def test_the_order_apis_validation_is_shown_next_to_the_fields(
    page: WatchedPage, console_stack: Stack
) -> None:
    p = page.page
    p.goto(url(console_stack, "/orders"))
    p.fill("input[name=customer_id]", "browser-bob")
    p.fill("input[name=currency]", "eu")
    p.locator("input[name=sku]").nth(0).fill("SKU-BOOK")
    p.locator("input[name=quantity]").nth(0).fill("0")
    p.locator("input[name=unit_price]").nth(0).fill("12.50")
    p.click("button:has-text('Place order')")

    expect(p.locator("#err-currency")).to_contain_text("pattern")
    expect(p.locator("#err-items-0-quantity")).to_contain_text("greater than or equal to 1")
    expect(p.locator("input[name=currency]")).to_have_attribute("aria-invalid", "true")
    expect(p.locator("input[name=customer_id]")).to_have_value("browser-bob")  # nothing lost
    page.screenshot("orders-form-errors")
    page.errors = [e for e in page.errors if "422" not in e]  # the refused POST itself
    page.assert_no_errors()


def _register_demo_versions(stack: Stack) -> None:
    registry = stack.config.registry_url
    headers = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
    for schema in (V1, V2):
        body = {"schema": json.dumps(schema)}
        response = httpx.post(
            f"{registry}/subjects/{DEMO_SUBJECT}/versions", json=body, headers=headers
        )
        assert response.status_code == 200, response.text
    level = {"compatibility": "FULL_TRANSITIVE"}
    assert httpx.put(f"{registry}/config/{DEMO_SUBJECT}", json=level).status_code == 200


def test_a_subjects_diff_highlights_the_added_field_and_a_breaking_candidate_is_explained(
    page: WatchedPage, console_stack: Stack
) -> None:
    _register_demo_versions(console_stack)
    p = page.page
    p.goto(url(console_stack, "/schemas"))
    p.click(f"a:has-text('{DEMO_SUBJECT}')")
    expect(p.locator("h1")).to_have_text(f"Subject {DEMO_SUBJECT}")

    added = p.locator("#field-changes tr.field-added")
    expect(added).to_have_count(1)
    expect(added).to_contain_text("gift_wrap")
    line = p.locator("#diff tr.add td.r", has_text="gift_wrap")
    expect(line).to_have_count(1)
    colour = line.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(220, 243, 226)", f"the added line is not highlighted: {colour}"
    page.screenshot("schema-diff")

    p.fill("textarea[name=candidate]", json.dumps(BREAKING, indent=2))
    p.click("button:has-text('Check')")
    expect(p.locator("#check-result")).to_contain_text("Incompatible")
    flagged = p.locator("#candidate-fields tr.has-reason")
    expect(flagged).to_have_count(1)
    expect(flagged.locator("td").first).to_have_text("priority")
    expect(flagged).to_contain_text("without a default")
    page.screenshot("schema-check-breaking")
    page.assert_no_errors()


def _fingerprint(key: bytes, value: bytes) -> str:
    return hashlib.sha256(key + b"\0" + value).hexdigest()[:8]


def test_a_poison_message_is_found_in_the_dlq_and_redriven(
    page: WatchedPage, console_stack: Stack
) -> None:
    key, value = f"poison-{uuid.uuid4()}".encode(), b"\x07not Avro at all"
    spent = f"spent-{uuid.uuid4()}".encode()
    producer = Producer({"bootstrap.servers": console_stack.config.kafka})
    producer.produce("payment_failed", key=key, value=value)  # read by order and notification
    at_limit = [("dlq.redrive.count", b"3")]
    producer.produce("payment_failed", key=spent, value=value, headers=at_limit)
    producer.flush(10)
    fingerprint, spent_fingerprint = _fingerprint(key, value), _fingerprint(spent, value)

    p = page.page
    p.goto(url(console_stack, "/dlq"))
    rows = p.locator("#dlq tbody tr", has_text=fingerprint)
    expect(rows).to_have_count(2, timeout=LIVE_TIMEOUT_MS)  # the page refreshes itself
    mine = rows.filter(has_text="order / order")
    expect(mine.locator("td.redrives")).to_have_text("0")
    expect(mine).to_contain_text("not_confluent_framed")
    spent_row = p.locator("#dlq tbody tr", has_text=spent_fingerprint).first
    expect(spent_row.locator("input[type=checkbox]")).to_be_disabled()  # at the limit
    mine.locator("input[type=checkbox]").check()
    page.screenshot("dlq-selected")
    p.click("button:has-text('Redrive selected')")

    expect(p.locator("h1")).to_have_text("Redrive: confirm")
    expect(p.locator("#confirm-form")).to_contain_text("redrive 1")
    page.screenshot("dlq-confirm")
    p.click("button:has-text('Confirm redrive')")

    expect(p.locator("#outcome")).to_contain_text("redrive count is now 1")
    again = p.locator("#dlq tbody tr", has_text=fingerprint).filter(has_text="order / order")
    expect(again.locator("td.redrives", has_text="1")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    page.screenshot("dlq-redriven")
    page.assert_no_errors()


def test_bytes_that_do_not_decode_are_shown_with_the_reason(
    page: WatchedPage, console_stack: Stack
) -> None:
    topic = "console_raw"
    admin = AdminClient({"bootstrap.servers": console_stack.config.kafka})
    for future in admin.create_topics([NewTopic(topic, 1, 1)]).values():
        future.result()
    producer = Producer({"bootstrap.servers": console_stack.config.kafka})
    producer.produce(topic, key=b"\xff\xfe", value=b"plain text, not framed")
    producer.produce(topic, key=b"k", value=b"\x00\x00\x00\x03\xe7\xff\xff\xff")  # id 999
    producer.flush(10)

    p = page.page
    p.goto(url(console_stack, f"/topics/{topic}"))
    cells = p.locator("table tbody tr td .bad")
    expect(cells).to_have_count(2)
    expect(p.locator("body")).to_contain_text("not_confluent_framed")
    expect(p.locator("body")).to_contain_text("schema id 999 is not in the registry")
    page.screenshot("topic-undecodable")
    page.assert_no_errors()


PAGES = {
    "overview": "/",
    "orders": "/orders",
    "topics": "/topics",
    "topic-order_created": "/topics/order_created",
    "schemas": "/schemas",
    "subject-order_created": "/schemas/order_created-value",
    "groups": "/groups",
    "dlq": "/dlq",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_without_console_errors(
    page: WatchedPage, console_stack: Stack, name: str
) -> None:
    p = page.page
    response = p.goto(url(console_stack, PAGES[name]))
    assert response is not None and response.status == 200
    expect(p.locator("p.source")).to_contain_text("Source:")  # names its data and time
    expect(p.locator("p.source")).to_contain_text("UTC")
    p.wait_for_load_state("networkidle")
    assert Path(page.screenshot(f"page-{name}")).stat().st_size > 0
    page.assert_no_errors()


def test_pages_are_reached_with_the_keyboard(page: WatchedPage, console_stack: Stack) -> None:
    p = page.page
    p.goto(url(console_stack, "/"))
    p.keyboard.press("3")
    p.wait_for_url(re.compile(r"/topics$"))
    p.keyboard.press("6")
    p.wait_for_url(re.compile(r"/dlq$"))
    page.assert_no_errors()
