"""`commerce.claims.v1`: every change of a claim ("my parcel is lost, late or damaged"), keyed
`merchant:claim_id`, one event per change with a deterministic id. No personal data: no
message text, no photo, no name or address; readers fetch what they may show from the API."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from suivi_schemas.common import Contract, FreeText, Identifier, Slug
from suivi_schemas.ids import derived_event_id


class ClaimReason(StrEnum):
    NOT_RECEIVED = "not_received"  # "delivered", yet not received
    DAMAGED = "damaged"
    ITEM_MISSING = "item_missing"
    WRONG_ITEM = "wrong_item"
    LATE = "late"  # late or stalled, once the monitor says so
    LOST = "lost"  # once the carrier says so


class ClaimState(StrEnum):
    WAITING_MERCHANT = "waiting_merchant"  # opened, or the shopper wrote last
    WAITING_SHOPPER = "waiting_shopper"  # the merchant wrote last
    RESOLVED = "resolved"
    CLOSED = "closed"


class ClaimOutcome(StrEnum):
    REFUND = "refund"
    RESHIP = "reship"
    REJECTED = "rejected"


class ClaimEventKind(StrEnum):
    OPENED = "opened"
    SHOPPER_MESSAGE = "shopper_message"
    MERCHANT_MESSAGE = "merchant_message"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ClaimEvent(Contract):
    schema_version: Literal[1] = 1
    event_id: uuid.UUID = Field(description="Deterministic from the claim and the change.")
    kind: ClaimEventKind
    merchant_id: Slug
    claim_id: Identifier
    order_number: Identifier
    carrier: Slug
    tracking_number: Identifier = Field(min_length=1, max_length=64)
    reason: ClaimReason
    state: ClaimState
    occurred_at: AwareDatetime
    messages: int = Field(ge=0, description="Messages in the thread so far.")
    photos: int = Field(ge=0, le=5)
    outcome: ClaimOutcome | None = None
    outcome_reason: FreeText | None = None
    locale: str = "en"

    @property
    def key(self) -> str:
        return f"{self.merchant_id}:{self.claim_id}"


def claim_event_id(merchant_id: str, claim_id: str, kind: str, sequence: int) -> uuid.UUID:
    """One id per change: `sequence` is the thread's message number (0 for open/resolve/close)."""
    return derived_event_id("claim", merchant_id, claim_id, kind, str(sequence))
