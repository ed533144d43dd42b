"""The console's pages and actions over in-memory sources: what each page shows, who may act,
and bad or hostile input answered with a 4xx and a reason (never a 5xx)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from console.sources.orders import Placed
from console.sources.registry import CheckResult
from services.runtime.serde import EventSerde
from services.runtime.testing import mock_registry
from tests.samples import ORDER_ID, sample_events
from tests.unit.console.console_fakes import client_of, make_console

PAGES = ["/", "/orders", "/topics", "/schemas", "/groups", "/dlq"]
SCHEMA_V1 = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]})
SCHEMA_V2 = json.dumps(
    {
        "type": "record",
        "name": "R",
        "fields": [
            {"name": "a", "type": "string"},
            {"name": "b", "type": ["null", "int"], "default": None},
        ],
    }
)


def token_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no form token on the page"
    return found.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_names_its_source_and_time(path: str) -> None:
    console, broker, registry, _ = make_console()
    broker.add("order_created", b"k", b"\x00junk")
    response = client_of(console).get(path)
    assert response.status_code == 200, response.text
    assert "Source: " in response.text and " UTC in " in response.text


def test_a_source_that_is_down_is_said_on_the_page_not_a_5xx() -> None:
    console, broker, _, _ = make_console()
    broker.down = True
    client = client_of(console)
    overview = client.get("/")
    assert overview.status_code == 200
    assert "list topics: timed out" in overview.text
    assert client.get("/topics/anything").status_code == 503  # nothing to show at all


def test_topic_messages_are_decoded_or_shown_as_bytes_with_the_reason() -> None:
    console, broker, _, _ = make_console()
    topic, event = sample_events()[0]
    good = EventSerde(mock_registry()).serialize(event, topic)
    broker.add(topic, str(ORDER_ID).encode(), good)
    broker.add(topic, b"\xff\xfe", b"not framed at all")
    broker.add(topic, b"k", b"\x00\x00\x00\x03\xe7\xff")  # schema id 999: not registered
    broker.add(topic, None, None)
    html = client_of(console).get(f"/topics/{topic}").text
    assert str(event.order_id) in html  # type: ignore[attr-defined]  # decoded
    assert "not_confluent_framed" in html and "unknown_schema_id" in html
    assert "0x ff fe" in html  # a key that is not UTF-8, as hex
    assert html.count("not decodable") == 3
    assert f'href="/orders/{ORDER_ID}"' in html  # a key that is an order id links to it


@pytest.mark.parametrize(
    "path",
    [
        "/topics/order_created?n=0",
        "/topics/order_created?n=abc",
        "/topics/order_created?mode=everything",
        "/topics/order_created?offset=-1",
        "/topics/order_created?mode=offset",  # no partition
        "/topics/order_created?mode=key",  # no key
        "/topics/order_created?partition=7",
        "/orders/not-a-uuid",
        "/orders?status=LOST",
        "/orders?limit=100000",
        "/schemas/sub?left=0",
        "/dlq?reason=" + "x" * 300,
    ],
)
def test_bad_parameters_get_a_4xx_page_with_a_reason(path: str) -> None:
    console, broker, registry, _ = make_console()
    broker.add("order_created", b"k", b"v")
    registry.subjects_["sub"] = [SCHEMA_V1]
    response = client_of(console).get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert 'class="alert bad"' in response.text


def test_unknown_things_are_404_pages() -> None:
    console, _, _, _ = make_console()
    client = client_of(console)
    for path in ("/topics/nope", "/schemas/nope-value", "/no/such/page", f"/orders/{ORDER_ID}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert 'class="alert bad"' in response.text


def test_diff_marks_the_added_field() -> None:
    console, _, registry, _ = make_console()
    registry.subjects_["r-value"] = [SCHEMA_V1, SCHEMA_V2]
    html = client_of(console).get("/schemas/r-value").text
    added = re.search(r'<tr class="field-added">(.*?)</tr>', html, re.S)
    assert added and '<td class="mono">b</td>' in added.group(1)
    assert re.search(r'<tr class="add">.*?&#34;b&#34;', html, re.S)


def test_a_candidate_check_places_the_registrys_reason_at_the_field() -> None:
    console, _, registry, _ = make_console()
    registry.subjects_["r-value"] = [SCHEMA_V1]
    reason = "READER_FIELD_MISSING_DEFAULT_VALUE at '/fields/1': field 'b' has no default"
    registry.answer = CheckResult(False, [reason, "something about the whole schema"], "FULL", "x")
    candidate = json.dumps(
        {
            "type": "record",
            "name": "R",
            "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "int"}],
        }
    )
    response = client_of(console).post("/schemas/r-value", data={"candidate": candidate})
    assert response.status_code == 200
    row = re.search(r'<tr class="has-reason">(.*?)</tr>', response.text, re.S)
    assert row and ">b<" in row.group(1) and "has no default" in row.group(1)
    assert "something about the whole schema" in response.text  # names no field: listed apart
    assert registry.checked == [candidate]  # nothing registered: only checked


@pytest.mark.parametrize(
    ("candidate", "status"),
    [
        ("", 422),  # nothing to check
        ("x" * (257 * 1024), 422),  # over the candidate limit (the form limit is larger)
        ("[" * 100_000, 200),  # deep nesting: the registry judges it; the page survives
        ("\u202e\U0001f600 \x00 ünïcödé", 200),
    ],
)
def test_hostile_candidates_never_break_the_page(candidate: str, status: int) -> None:
    console, _, registry, _ = make_console()
    registry.subjects_["r-value"] = [SCHEMA_V1]
    registry.answer = CheckResult(None, ["Invalid schema: not JSON"], "BACKWARD", "latest")
    response = client_of(console).post("/schemas/r-value", data={"candidate": candidate})
    assert response.status_code == status
    assert 'class="alert bad"' in response.text


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        (b"candidate=" + b"x" * (600 * 1024), None, 413, "larger than"),
        (b"candidate=%ED%A0%80", None, 400, "not valid UTF-8"),  # a lone surrogate
        (b"candidate=\xff\xfe", None, 400, "not valid UTF-8"),
        ("&".join(f"f{i}=1" for i in range(1200)).encode(), None, 400, "not readable"),
        (b'{"candidate": "x"}', "application/json", 400, "expected an HTML form"),
    ],
)
def test_unreadable_forms_are_4xx_with_the_reason(
    body: bytes, content_type: str | None, status: int, reason: str
) -> None:
    console, _, registry, _ = make_console()
    registry.subjects_["r-value"] = [SCHEMA_V1]
    headers = {"Content-Type": content_type or "application/x-www-form-urlencoded"}
    response = client_of(console).post("/schemas/r-value", content=body, headers=headers)
    assert response.status_code == status
    assert reason in response.text


def test_place_order_sends_the_form_and_redirects_to_the_order() -> None:
    console, _, _, orders = make_console()
    client = client_of(console)
    token = token_of(client.get("/orders").text)
    form = {
        "csrf": token,
        "idempotency_key": "key-1",
        "customer_id": "ana",
        "currency": "EUR",
        "payment_token": "tok_visa",
        "note": "",
        "sku": ["", "SKU-1"],
        "quantity": ["", "2"],
        "unit_price": ["", "3.50"],
    }
    response = client.post("/orders", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/orders/{ORDER_ID}"
    body, key = orders.placed[0]
    assert key == "key-1"
    assert body["items"] == [{"sku": "SKU-1", "quantity": 2, "unit_price": "3.50"}]
    assert "note" not in body


def test_the_apis_field_errors_land_next_to_the_form_rows_they_name() -> None:
    console, _, _, orders = make_console()
    client = client_of(console)
    errors = {
        "body.items.0.quantity": "Input should be greater than or equal to 1",
        "body.currency": "String should match pattern",
        "body": "Value error, total: the order total exceeds the maximum",
    }
    orders.reply = Placed(422, detail="invalid request", field_errors=errors)
    form = {
        "csrf": token_of(client.get("/orders").text),
        "customer_id": "ana",
        "currency": "eu",
        "sku": ["", "", "SKU-1"],  # the API's item 0 is the form's third row
        "quantity": ["", "", "0"],
        "unit_price": ["", "", "1"],
    }
    response = client.post("/orders", data=form)
    assert response.status_code == 422
    assert re.search(r'id="err-items-2-quantity">Input should be greater', response.text)
    assert 'id="err-currency">String should match pattern' in response.text
    assert "total exceeds the maximum" in response.text  # names no field: shown above
    assert 'value="eu"' in response.text  # what was typed is kept


def test_actions_refuse_without_the_forms_token_or_from_another_site() -> None:
    console, _, _, orders = make_console()
    client = client_of(console)
    token = token_of(client.get("/orders").text)
    assert client.post("/orders", data={"customer_id": "x"}).status_code == 403
    assert client.post("/orders", data={"csrf": "forged"}).status_code == 403
    evil = client.post("/orders", data={"csrf": token}, headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403 and "another site" in evil.text
    assert orders.placed == []


def test_read_only_console_refuses_actions_and_says_why() -> None:
    console, broker, _, orders = make_console(console_url="http://0.0.0.0:8080")
    broker.add_dlq("order_paid", b"\x07x")
    client = client_of(console)
    page = client.get("/dlq").text
    assert "read-only" in page and "Redrive is off" in page
    assert "Placing orders is off" in client.get("/orders").text
    token = console.policy.token
    response = client.post("/dlq/redrive", data={"csrf": token, "ref": "0:0", "confirm": "yes"})
    assert response.status_code == 403 and "CONSOLE_BASIC_AUTH" in response.text
    assert client.post("/orders", data={"csrf": token}).status_code == 403
    assert broker.redriven == [] and orders.placed == []


def test_basic_auth_guards_actions_when_credentials_are_set() -> None:
    console, _, _, orders = make_console(
        console_url="http://0.0.0.0:8080", console_basic_auth="ops:s3cret"
    )
    client = client_of(console)
    token = token_of(client.get("/orders").text)  # reading needs no login
    form = {"csrf": token, "customer_id": "a", "sku": "S", "quantity": "1", "unit_price": "1"}
    anonymous = client.post("/orders", data=form)
    assert anonymous.status_code == 401 and "WWW-Authenticate" in anonymous.headers
    wrong = base64.b64encode(b"ops:wrong").decode()
    assert (
        client.post("/orders", data=form, headers={"Authorization": f"Basic {wrong}"}).status_code
        == 401
    )
    right = base64.b64encode(b"ops:s3cret").decode()
    ok = client.post(
        "/orders", data=form, headers={"Authorization": f"Basic {right}"}, follow_redirects=False
    )
    assert ok.status_code == 303 and len(orders.placed) == 1


def test_redrive_asks_for_confirmation_then_shows_the_outcome() -> None:
    console, broker, _, _ = make_console()
    broker.add_dlq("order_paid", b"\x07poison")
    broker.add_dlq("order_paid", b"\x07spent", redrives=3)
    client = client_of(console)
    page = client.get("/dlq").text
    token = token_of(page)
    assert re.search(r'value="0:1"[^>]*disabled', page)  # at the limit: cannot be ticked

    confirm = client.post("/dlq/redrive", data={"csrf": token, "ref": ["0:0", "0:1"]})
    assert confirm.status_code == 200 and "Confirm redrive" in confirm.text
    assert "will be refused" in confirm.text
    assert broker.redriven == []  # nothing yet

    done = client.post(
        "/dlq/redrive", data={"csrf": token, "ref": ["0:0", "0:1"], "confirm": "yes"}
    )
    assert done.status_code == 200  # after the redirect
    assert "redrive count is now 1" in done.text
    assert "Refused entry #2" in done.text and "already redriven 3 times" in done.text
    assert [e.ref for e in broker.redriven] == ["0:0"]


@pytest.mark.parametrize("refs", [[], ["9:99"], ["'; drop"], ["\u202e"]])
def test_redrive_of_nothing_or_unknown_entries_is_422(refs: list[str]) -> None:
    console, broker, _, _ = make_console()
    broker.add_dlq("order_paid", b"\x07poison")
    client = client_of(console)
    token = token_of(client.get("/dlq").text)
    response = client.post("/dlq/redrive", data={"csrf": token, "ref": refs, "confirm": "yes"})
    assert response.status_code == 422
    assert broker.redriven == []


def test_topic_browsing_by_key_and_by_offset() -> None:
    console, broker, _, _ = make_console()
    for i in range(5):
        broker.add("t", f"k{i % 2}".encode(), b"\x07")
    client = client_of(console)
    by_key = client.get("/topics/t", params={"mode": "key", "key": "k1"}).text
    assert "key &#39;k1&#39;: searched the newest 5 records" in by_key
    assert by_key.count("not decodable") == 2  # offsets 1 and 3
    by_offset = client.get("/topics/t", params={"mode": "offset", "partition": "0", "offset": 3})
    assert by_offset.status_code == 200 and by_offset.text.count("not decodable") == 2


def test_an_orders_timeline_links_each_event_to_its_cause() -> None:
    console, broker, _, orders = make_console()
    serde = EventSerde(mock_registry())
    events = dict(sample_events())
    created, paid = events["order_created"], events["order_paid"]
    paid.metadata.causation_id = created.metadata.event_id  # type: ignore[attr-defined]
    key = str(ORDER_ID).encode()
    broker.add("order_created", key, serde.serialize(created, "order_created"))
    broker.add("order_paid", key, serde.serialize(paid, "order_paid"))
    broker.add("order_paid", b"another-order", serde.serialize(paid, "order_paid"))
    orders.known[str(ORDER_ID)] = {
        "id": str(ORDER_ID),
        "status": "PAID",
        "customer_id": "alice",
        "items": [],
        "total": "1.00",
        "currency": "EUR",
        "created_at": "2026-11-25T12:30:15.123+00:00",
        "updated_at": None,
        "missing_skus": [],
    }
    html = client_of(console).get(f"/orders/{ORDER_ID}").text
    assert html.count('<tr id="ev-') == 2  # the other order's event is not on this timeline
    cause = created.metadata.event_id  # type: ignore[attr-defined]
    assert f'<a href="#ev-{cause}"' in html  # order_paid points at its cause
    assert "order_paid [0] @ 0" in html and 'data-live-done="true"' not in html  # still live
