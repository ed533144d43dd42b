"""The custom schemathesis checks can fail: each refuses what it must and lets through the rest."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from order_checks import refusals_name_state
from registry_checks import refusals_name_state_or_content


def case(positive: bool) -> Any:
    mode = SimpleNamespace(is_positive=positive)
    return SimpleNamespace(meta=SimpleNamespace(generation=SimpleNamespace(mode=mode)))


def response(status: int, body: object) -> Any:
    text = json.dumps(body)
    return SimpleNamespace(status_code=status, text=text, json=lambda: json.loads(text))


@pytest.mark.parametrize(
    ("status", "code"),
    [(422, 422), (422, 42202), (422, 42203), (422, 42204), (422, 42208), (404, 404),
     (405, 405), (406, 406), (415, 415), (400, 400), (307, None)],
)  # fmt: skip
def test_registry_check_fails_on_a_refusal_the_document_could_express(
    status: int, code: int | None
) -> None:
    with pytest.raises(AssertionError, match="declares valid was refused"):
        refusals_name_state_or_content(None, response(status, {"error_code": code}), case(True))


@pytest.mark.parametrize(
    ("status", "code", "positive"),
    [(404, 40401, True), (404, 40403, True), (409, 409, True), (422, 42201, True),
     (422, 42205, True), (422, 42206, True), (200, None, True), (422, 422, False)],
)  # fmt: skip
def test_registry_check_lets_through_state_and_content(
    status: int, code: int | None, positive: bool
) -> None:
    refusals_name_state_or_content(None, response(status, {"error_code": code}), case(positive))


def test_order_check_allows_only_unknown_orders_and_reused_keys() -> None:
    reused = {"detail": "x", "errors": [{"field": "header.Idempotency-Key", "type": "conflict"}]}
    refusals_name_state(None, response(422, reused), case(True))
    refusals_name_state(None, response(404, {"detail": "order 1 not found"}), case(True))
    refusals_name_state(None, response(422, {"detail": "bad", "errors": []}), case(False))
    shape = {"detail": "x", "errors": [{"field": "body.items.0.unit_price", "type": "value"}]}
    for status, body in ((422, shape), (404, {"detail": "Not Found"}), (405, {"detail": "x"})):
        with pytest.raises(AssertionError, match="declares valid was refused"):
            refusals_name_state(None, response(status, body), case(True))
