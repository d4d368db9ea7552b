"""Suivi's shared event contracts: pydantic models and topic names, defined once."""

from suivi_schemas.alerts import AlertKind, PromiseSource, ShipmentAlert
from suivi_schemas.common import EstimatedDelivery, Location
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.ids import (
    checkpoint_event_id,
    estimate_event_id,
    normalize_tracking_number,
    shipment_key,
)
from suivi_schemas.notifications import Channel, NotificationResult, Outcome
from suivi_schemas.orders import Customer, NotificationOptIns, OrderEvent, OrderShipment
from suivi_schemas.raw import IngestMetadata, RawProviderEvent
from suivi_schemas.status import (
    TERMINAL_STATUSES,
    EstimateSource,
    Reason,
    ShipmentStatus,
    Substatus,
    TimeBasis,
)
from suivi_schemas.topics import ALL_TOPICS, Topic

__all__ = [
    "ALL_TOPICS",
    "TERMINAL_STATUSES",
    "AlertKind",
    "Channel",
    "Customer",
    "EstimateSource",
    "EstimatedDelivery",
    "IngestMetadata",
    "Location",
    "NotificationOptIns",
    "NotificationResult",
    "OrderEvent",
    "OrderShipment",
    "Outcome",
    "PromiseSource",
    "RawProviderEvent",
    "Reason",
    "ShipmentAlert",
    "ShipmentStatus",
    "ShipmentStatusEvent",
    "Substatus",
    "TimeBasis",
    "Topic",
    "checkpoint_event_id",
    "estimate_event_id",
    "normalize_tracking_number",
    "shipment_key",
]
