"""`notifications.v1`: what the notifier did for a shipment (no message bodies, no contacts)."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from suivi_schemas.common import FREE_TEXT_RULE, Contract, FreeText, Identifier, Slug
from suivi_schemas.ids import shipment_key


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    WEBHOOK = "webhook"


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    RETRYING = "retrying"
    DEFERRED = "deferred"
    SKIPPED = "skipped"


class NotificationResult(Contract):
    schema_version: Literal[1] = 1
    event_id: uuid.UUID = Field(
        description="Deterministic from shipment, trigger, channel, outcome."
    )
    merchant_id: Slug
    order_number: Identifier
    carrier: Slug
    tracking_number: Identifier
    trigger: str = Field(description="A status (e.g. 'delivered') or alert kind (e.g. 'stalled').")
    channel: Channel
    outcome: Outcome
    attempts: int = Field(ge=0)
    occurred_at: AwareDatetime
    source_event_id: uuid.UUID = Field(description="The status or alert event that triggered it.")
    error: FreeText | None = Field(
        default=None, description="Failure class, never contact data. " + FREE_TEXT_RULE
    )

    @property
    def key(self) -> str:
        return shipment_key(self.carrier, self.tracking_number)
