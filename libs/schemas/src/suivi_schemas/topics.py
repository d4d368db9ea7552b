"""Every Kafka topic of the platform, named and versioned once."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from suivi_schemas.alerts import ShipmentAlert
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.legs import LegLinkEvent
from suivi_schemas.merchants import MerchantRecord
from suivi_schemas.notifications import NotificationResult
from suivi_schemas.orders import OrderEvent
from suivi_schemas.raw import RawProviderEvent
from suivi_schemas.returns import ReturnEvent

DAY_MS = 24 * 3600 * 1000
# Kafka's own default (the broker's message.max.bytes): the largest record batch, after
# compression, a topic stores. Set on each topic explicitly so producers can rely on it.
MAX_MESSAGE_BYTES = 1_048_588


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    payload: type[BaseModel] | None
    key: str
    partitions: int
    retention_ms: int
    description: str
    max_message_bytes: int = MAX_MESSAGE_BYTES
    # "compact": the latest record per key is kept forever (retention_ms is then -1).
    cleanup_policy: str = "delete"


RAW = Topic(
    "tracking.raw.v1",
    RawProviderEvent,
    "provider:tracking_number (provider alone when the body names no number)",
    6,
    14 * DAY_MS,
    "Verified provider webhooks, exactly as received.",
)
RAW_DLQ = Topic(
    "tracking.raw.dlq.v1",
    None,
    "as consumed",
    1,
    30 * DAY_MS,
    "Raw events the normalizer could not process; the raw bytes with error headers.",
)
STATUS = Topic(
    "tracking.status.v1",
    ShipmentStatusEvent,
    "carrier:tracking_number",
    12,
    30 * DAY_MS,
    "Canonical shipment-status events, one per carrier checkpoint.",
)
ORDERS = Topic(
    "commerce.orders.v1",
    OrderEvent,
    "merchant:order_number",
    6,
    90 * DAY_MS,
    "Order snapshots with their shipments and the shopper's notification opt-ins.",
)
ALERTS = Topic(
    "tracking.alerts.v1",
    ShipmentAlert,
    "carrier:tracking_number",
    6,
    30 * DAY_MS,
    "Stalled / late / recovered episodes computed by the projections.",
)
NOTIFICATIONS = Topic(
    "notifications.v1",
    NotificationResult,
    "carrier:tracking_number",
    6,
    30 * DAY_MS,
    "What the notifier sent, failed or deferred, per shipment, trigger and channel.",
)

NOTIFICATIONS_DLQ = Topic(
    "notifications.dlq.v1",
    None,
    "as consumed",
    1,
    30 * DAY_MS,
    "Order and status records the notifier could not process; raw bytes with error headers.",
)

PROJECTIONS_DLQ = Topic(
    "projections.dlq.v1",
    None,
    "as consumed",
    1,
    30 * DAY_MS,
    "Records the projector could not apply; the record as consumed with error headers.",
)

TRACKER_DLQ = Topic(
    "tracker.dlq.v1",
    None,
    "as consumed",
    1,
    30 * DAY_MS,
    "Order and status records the tracker could not process; as consumed, with error headers.",
)

MERCHANTS = Topic(
    "merchants.v1",
    MerchantRecord,
    "merchant",
    3,
    -1,
    "Merchant records (key digests, branding, settings) from the console; compacted.",
    cleanup_policy="compact",
)

RETURNS = Topic(
    "commerce.returns.v1",
    ReturnEvent,
    "merchant:return_id",
    6,
    90 * DAY_MS,
    "Every change of a return (RMA), one event per transition, from the after-sales service.",
)
CLAIMS = Topic(
    "commerce.claims.v1",
    ClaimEvent,
    "merchant:claim_id",
    6,
    90 * DAY_MS,
    "Every change of a claim (opened, messages, resolved, closed), from the after-sales service.",
)
AFTERSALES_DLQ = Topic(
    "aftersales.dlq.v1",
    None,
    "as consumed",
    1,
    30 * DAY_MS,
    "Order and status records after-sales could not process; as consumed, with error headers.",
)

LEGS = Topic(
    "tracking.legs.v1",
    LegLinkEvent,
    "carrier:tracking_number",
    6,
    90 * DAY_MS,
    "Hand-offs between carriers: one parcel's legs (carrier + number each), from providers and "
    "merchants; consumers keep them as a set.",
)

ALL_TOPICS: tuple[Topic, ...] = (
    RAW, RAW_DLQ, STATUS, ORDERS, ALERTS, NOTIFICATIONS, NOTIFICATIONS_DLQ, PROJECTIONS_DLQ,
    TRACKER_DLQ, MERCHANTS, RETURNS, CLAIMS, AFTERSALES_DLQ, LEGS,
)  # fmt: skip
