"""Canonical shipment status vocabulary shared by every service and downstream consumer."""

from __future__ import annotations

from enum import StrEnum


class ShipmentStatus(StrEnum):
    """Where a shipment is in its life; exactly one at a time."""

    PENDING = "pending"
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERY_ATTEMPT_FAILED = "delivery_attempt_failed"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNING_TO_SENDER = "returning_to_sender"
    RETURNED_TO_SENDER = "returned_to_sender"
    LOST = "lost"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# No further carrier movement is expected once a shipment is in one of these.
TERMINAL_STATUSES: frozenset[ShipmentStatus] = frozenset(
    {
        ShipmentStatus.DELIVERED,
        ShipmentStatus.RETURNED_TO_SENDER,
        ShipmentStatus.LOST,
        ShipmentStatus.CANCELLED,
        ShipmentStatus.EXPIRED,
    }
)


class Substatus(StrEnum):
    """Finer reason beside the status; `unknown_code` marks a provider code nobody mapped yet."""

    # pre-transit
    LABEL_CREATED = "label_created"
    INFO_RECEIVED = "info_received"
    AWAITING_PICKUP = "awaiting_pickup"
    # movement
    PICKED_UP = "picked_up"
    ACCEPTED = "accepted"
    ARRIVED_AT_FACILITY = "arrived_at_facility"
    DEPARTED_FACILITY = "departed_facility"
    PROCESSED_AT_FACILITY = "processed_at_facility"
    IN_TRANSIT = "in_transit"
    FORWARDED = "forwarded"
    TRANSFERRED_TO_CARRIER = "transferred_to_carrier"
    ARRIVED_IN_DESTINATION_COUNTRY = "arrived_in_destination_country"
    DELIVERY_SCHEDULED = "delivery_scheduled"
    DELIVERY_RESCHEDULED = "delivery_rescheduled"
    # customs
    CUSTOMS_PROCESSING = "customs_processing"
    CUSTOMS_CLEARED = "customs_cleared"
    CUSTOMS_HOLD = "customs_hold"
    CUSTOMS_DOCUMENTS_REQUIRED = "customs_documents_required"
    DUTIES_DUE = "duties_due"
    # last mile
    OUT_FOR_DELIVERY = "out_for_delivery"
    ARRIVED_AT_PICKUP_POINT = "arrived_at_pickup_point"
    PICKUP_REMINDER = "pickup_reminder"
    # failed attempts and problems
    RECIPIENT_UNAVAILABLE = "recipient_unavailable"
    BUSINESS_CLOSED = "business_closed"
    NOTICE_LEFT = "notice_left"
    LOCATION_INACCESSIBLE = "location_inaccessible"
    ADDRESS_ISSUE = "address_issue"
    REFUSED = "refused"
    DAMAGED = "damaged"
    WEATHER_DELAY = "weather_delay"
    CARRIER_DELAY = "carrier_delay"
    MISSORTED = "missorted"
    HELD_BY_CARRIER = "held_by_carrier"
    HELD_FOR_PAYMENT = "held_for_payment"
    CONTACT_CARRIER = "contact_carrier"
    SECURITY_ISSUE = "security_issue"
    RECIPIENT_MOVED = "recipient_moved"
    # delivery
    DELIVERED = "delivered"
    SIGNED = "signed"
    DELIVERED_TO_NEIGHBOR = "delivered_to_neighbor"
    DELIVERED_TO_SAFE_PLACE = "delivered_to_safe_place"
    DELIVERED_TO_MAILBOX = "delivered_to_mailbox"
    PICKED_UP_BY_CUSTOMER = "picked_up_by_customer"
    COD_COLLECTED = "cod_collected"
    # returns and endings
    RETURN_TO_SENDER = "return_to_sender"
    RETURNED_TO_SENDER = "returned_to_sender"
    LOST = "lost"
    DISPOSED = "disposed"
    UNDELIVERABLE = "undeliverable"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    NOT_FOUND = "not_found"
    # mapping gaps
    UNKNOWN_CODE = "unknown_code"
    OTHER = "other"


class Reason(StrEnum):
    """Who or what caused a problem (as karrio's incident reasons)."""

    CARRIER = "carrier"
    RETAILER = "retailer"
    CONSIGNEE = "consignee"
    CUSTOMS = "customs"
    WEATHER = "weather"
    UNKNOWN = "unknown"


class EstimateSource(StrEnum):
    """Where an estimated delivery comes from."""

    CARRIER = "carrier"
    PROVIDER = "provider"
    PREDICTED = "predicted"


class TimeBasis(StrEnum):
    """What placed a checkpoint's time on the clock (a provider's time without an offset)."""

    OFFSET = "offset"  # the provider gave an offset or named a zone
    CITY = "city"
    REGION = "region"  # a state, province or territory
    COUNTRY = "country"
    SHIPMENT_COUNTRY = "shipment_country"  # the checkpoint named no usable place
    UTC = "utc"  # nothing known: read as UTC
