"""Identity of the order events ingest publishes (the contract is suivi_schemas.orders)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from suivi_schemas.ids import derived_event_id


def instant(at: datetime) -> str:
    """One spelling per instant: `10:00+01:00` and `09:00Z` give the same ids."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def order_event_id(
    merchant_id: str, order_number: str, updated_at: datetime, *extra: str
) -> uuid.UUID:
    """UUIDv5 of merchant, order number and updated_at (and, for Shopify, what else tells two
    deliveries apart): a retried request is the same event, so consumers deduplicate on it."""
    return derived_event_id("order", merchant_id, order_number, instant(updated_at), *extra)
