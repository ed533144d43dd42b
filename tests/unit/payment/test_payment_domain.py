"""The simulated gateway's deterministic declines and the ledger's refund-once rule."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from services.events import DeclineReason
from services.payment.domain import (
    REFUNDED,
    Approved,
    Charge,
    Declined,
    Gateway,
    parse_declined_tokens,
    payment_id_for,
)

ORDER = uuid.UUID("11111111-2222-3333-4444-555555555555")


@pytest.fixture
def gateway() -> Gateway:
    return Gateway.from_settings("5000.00", "tok_declined,tok_insufficient_funds")


def test_approves_a_normal_charge_with_a_payment_id_derived_from_the_order(
    gateway: Gateway,
) -> None:
    result = gateway.charge(ORDER, Decimal("49.90"), "EUR", "tok_visa")
    assert result == Approved(payment_id_for(ORDER))
    assert result.payment_id.startswith("pay_")
    assert payment_id_for(ORDER) == payment_id_for(ORDER) != payment_id_for(uuid.uuid4())


def test_amount_above_the_limit_is_declined(gateway: Gateway) -> None:
    result = gateway.charge(ORDER, Decimal("5000.01"), "EUR", "tok_visa")
    assert isinstance(result, Declined)
    assert result.reason is DeclineReason.AMOUNT_LIMIT_EXCEEDED
    assert "5000.00" in result.detail


def test_amount_at_the_limit_is_approved(gateway: Gateway) -> None:
    assert isinstance(gateway.charge(ORDER, Decimal("5000.00"), "EUR", "tok_visa"), Approved)


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("tok_declined", DeclineReason.CARD_DECLINED),
        ("tok_insufficient_funds", DeclineReason.INSUFFICIENT_FUNDS),
    ],
)
def test_declined_tokens(gateway: Gateway, token: str, reason: DeclineReason) -> None:
    result = gateway.charge(ORDER, Decimal("10.00"), "EUR", token)
    assert result == Declined(reason, f"payment method {token} declined: {reason.value}")


def test_declined_tokens_are_configurable_with_explicit_reasons() -> None:
    tokens = parse_declined_tokens(
        " tok_a , tok_b=insufficient_funds,,tok_low_balance_insufficient"
    )
    assert tokens == {
        "tok_a": DeclineReason.CARD_DECLINED,
        "tok_b": DeclineReason.INSUFFICIENT_FUNDS,
        "tok_low_balance_insufficient": DeclineReason.INSUFFICIENT_FUNDS,
    }
    gateway = Gateway(Decimal("10"), tokens)
    assert isinstance(gateway.charge(ORDER, Decimal("1.00"), "EUR", "tok_declined"), Approved)


def test_a_charge_is_refunded_once() -> None:
    charge = Charge("pay_1", ORDER, Decimal("10.00"), "EUR")
    assert charge.refund() is True
    assert charge.status == REFUNDED
    assert charge.refund() is False
    assert charge.status == REFUNDED
