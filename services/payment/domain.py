"""The simulated payment gateway and the ledger's rules. No I/O: unit-tested directly."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.events import DeclineReason

# payment ids are derived from the order id, so the same order always maps to the same charge
PAYMENT_NAMESPACE = uuid.UUID("6f1d3c1e-5b7a-4c1e-9a43-0c2f6b1d7e21")

CAPTURED = "CAPTURED"
REFUNDED = "REFUNDED"


@dataclass(frozen=True)
class Approved:
    payment_id: str


@dataclass(frozen=True)
class Declined:
    reason: DeclineReason
    detail: str


def payment_id_for(order_id: uuid.UUID) -> str:
    return f"pay_{uuid.uuid5(PAYMENT_NAMESPACE, str(order_id)).hex[:20]}"


def parse_declined_tokens(spec: str) -> dict[str, DeclineReason]:
    """`tok_a,tok_b=INSUFFICIENT_FUNDS` -> {token: reason}.

    A bare token is CARD_DECLINED unless its name says "insufficient" (tok_insufficient_funds).
    """
    tokens: dict[str, DeclineReason] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        token, _, reason = item.partition("=")
        if reason:
            tokens[token.strip()] = DeclineReason(reason.strip().upper())
        elif "insufficient" in token:
            tokens[token] = DeclineReason.INSUFFICIENT_FUNDS
        else:
            tokens[token] = DeclineReason.CARD_DECLINED
    return tokens


class Gateway:
    """Deterministic: the same order, amount and token always get the same answer."""

    def __init__(self, amount_limit: Decimal, declined_tokens: Mapping[str, DeclineReason]) -> None:
        self.amount_limit = amount_limit
        self.declined_tokens = dict(declined_tokens)

    @classmethod
    def from_settings(cls, amount_limit: str, declined_tokens: str) -> Gateway:
        return cls(Decimal(amount_limit), parse_declined_tokens(declined_tokens))

    def charge(
        self, order_id: uuid.UUID, amount: Decimal, currency: str, token: str
    ) -> Approved | Declined:
        if amount > self.amount_limit:
            return Declined(
                DeclineReason.AMOUNT_LIMIT_EXCEEDED,
                f"amount {amount} {currency} is above the limit of {self.amount_limit} {currency}",
            )
        if token in self.declined_tokens:
            reason = self.declined_tokens[token]
            return Declined(reason, f"payment method {token} declined: {reason.value}")
        if amount <= 0:
            return Declined(DeclineReason.UNKNOWN, f"amount {amount} {currency} is not positive")
        return Approved(payment_id_for(order_id))


@dataclass
class Charge:
    """One captured charge in the ledger."""

    payment_id: str
    order_id: uuid.UUID
    amount: Decimal
    currency: str
    status: str = CAPTURED

    def refund(self) -> bool:
        """Mark refunded; False if it already was (a refund happens once)."""
        if self.status == REFUNDED:
            return False
        self.status = REFUNDED
        return True
