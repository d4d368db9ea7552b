"""`MerchantRecord`: one merchant's current configuration on the compacted `merchants.v1` topic,
published by the console, read from the beginning by every service that checks merchant keys.

Never a plaintext API key (only SHA-256 digests of high-entropy keys, with their validity
windows) and never a plaintext webhook signing secret (sealed with AES-GCM under a key only the
console and the notifier hold: `suivi_infra.sealing`). A null value (tombstone) deletes the
merchant.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, field_validator

from suivi_schemas.common import Contract, FreeText, Slug
from suivi_schemas.triggers import DEFAULT_TRIGGERS, TriggerName, current_triggers


def key_digest(key: str) -> str:
    """Hex SHA-256 of an API key's UTF-8 bytes, as `ApiKeyDigest.sha256` carries it."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class ApiKeyDigest(Contract):
    """A key is valid from `valid_from` until `valid_until` (None: until revoked). A rotated key
    keeps a `valid_until` in the future (its grace period); a revoked one is dropped."""

    key_id: str = Field(max_length=64)
    sha256: Sha256Hex = Field(description="Hex SHA-256 of the key's UTF-8 bytes.")
    label: FreeText = Field(default="", max_length=100)
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None

    def valid_at(self, instant: datetime) -> bool:
        return self.valid_from <= instant and (
            self.valid_until is None or instant < self.valid_until
        )


class Branding(Contract):
    """What the status pages and messages show of the merchant."""

    display_name: FreeText = Field(max_length=100)
    colour: Colour = "#1f6feb"
    logo_url: str | None = Field(default=None, max_length=500, description="Served by the console.")
    contact_email: str | None = Field(default=None, max_length=254)
    contact_url: str | None = Field(default=None, max_length=500)
    message: FreeText = Field(default="", max_length=500)
    return_policy_url: str | None = Field(
        default=None, max_length=500, description="The shop's return policy (https), linked."
    )
    language: str | None = Field(
        default=None,
        max_length=35,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="BCP 47: the pages' language when neither the order nor the browser says.",
    )


class NotificationSettings(Contract):
    """What the merchant's shoppers are told, and how the merchant hears of alerts; over the
    notifier's environment settings for this merchant (docs/notifications.md)."""

    # Every channel by default, as for a merchant without a record: each shopper still opts in.
    channels: tuple[Literal["email", "sms", "push"], ...] = Field(
        default=("email", "sms", "push"),
        description="Channels shoppers may be told on; others are not used.",
    )
    triggers: tuple[TriggerName, ...] = Field(
        default=DEFAULT_TRIGGERS,
        description="What shoppers are told of (suivi_schemas.triggers); 'shipped' (older "
        "records) reads as 'in_transit'. Not after-sales messages: the shopper asked for those.",
    )
    quiet_start: time | None = Field(
        default=None, description="Shopper's local time SMS quiet hours begin."
    )
    quiet_end: time | None = Field(default=None, description="Their end; unset: the default.")
    digest: Literal["off", "daily", "weekly"] = Field(
        default="daily", description="How often the merchant's alert digest email goes."
    )

    @field_validator("triggers", mode="before")
    @classmethod
    def _current_names(cls, value: object) -> object:
        # Old records keep the console's first names; a newer writer's names are dropped.
        if isinstance(value, list | tuple):
            return current_triggers(str(name) for name in value)
        return value


class WebhookEndpoint(Contract):
    endpoint_id: str = Field(max_length=64)
    url: str = Field(max_length=500, pattern=r"^https?://")
    events: tuple[str, ...] = ("alerts",)
    # AES-GCM sealed secrets (suivi_infra.sealing), newest first; several during a rotation.
    sealed_secrets: tuple[str, ...] = ()
    active: bool = True


class MerchantRecord(Contract):
    """Keyed by `merchant_id`; the latest record per key is the merchant's whole state."""

    schema_version: Literal[1] = 1
    merchant_id: Slug
    revision: int = Field(
        ge=0, description="Increases with every change; readers keep the highest."
    )
    updated_at: AwareDatetime
    active: bool = True
    branding: Branding
    api_keys: tuple[ApiKeyDigest, ...] = ()
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    webhooks: tuple[WebhookEndpoint, ...] = ()
