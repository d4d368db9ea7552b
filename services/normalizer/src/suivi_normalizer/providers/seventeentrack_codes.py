"""17TRACK's classification (module seventeentrack): its 9 main statuses, 30 sub-statuses and
9 milestone stages → canonical meanings, and the lookup order of one event's fields."""

from __future__ import annotations

from suivi_normalizer.providers.base import CodeTable, Meaning
from suivi_schemas.status import Reason, ShipmentStatus, Substatus

SLUG = "17track"

S, X, R = ShipmentStatus, Substatus, Reason

# The 9 main statuses (`latest_status.status`, and the prefix of every sub-status): the
# fallback status of a sub-status nobody mapped.
MAIN_STATUSES: dict[str, ShipmentStatus] = {
    "NotFound": S.PENDING,
    "InfoReceived": S.INFO_RECEIVED,
    "InTransit": S.IN_TRANSIT,
    "Expired": S.EXPIRED,
    "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "DeliveryFailure": S.DELIVERY_ATTEMPT_FAILED,
    "Delivered": S.DELIVERED,
    "Exception": S.EXCEPTION,
}

# The 30 documented sub-statuses (descriptions quoted from the help-center table).
SUB_STATUSES = CodeTable(
    SLUG,
    {
        # "The carrier did not provide any information."
        "NotFound_Other": Meaning(S.PENDING, X.NOT_FOUND),
        # "The tracking number is invalid." (given by the shop)
        "NotFound_InvalidCode": Meaning(S.PENDING, X.NOT_FOUND, reason=R.RETAILER),
        "InfoReceived": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        # "The carrier has collected the package from the sender."
        "InTransit_PickedUp": Meaning(S.IN_TRANSIT, X.PICKED_UP),
        "InTransit_Other": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),
        # "The package has left the port of the originating country/region."
        "InTransit_Departure": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),
        # "The package has arrived at the port of the destination country/region."
        "InTransit_Arrival": Meaning(S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
        "InTransit_CustomsProcessing": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),
        "InTransit_CustomsReleased": Meaning(S.IN_TRANSIT, X.CUSTOMS_CLEARED),
        # "Additional information is needed for clearance." (an exception in the design table)
        "InTransit_CustomsRequiringInformation": Meaning(
            S.EXCEPTION, X.CUSTOMS_DOCUMENTS_REQUIRED, action_required=True, reason=R.CUSTOMS
        ),
        "Expired_Other": Meaning(S.EXPIRED, X.EXPIRED),
        "AvailableForPickup_Other": Meaning(
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "OutForDelivery_Other": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
        "DeliveryFailure_Other": Meaning(S.DELIVERY_ATTEMPT_FAILED, X.OTHER),
        # "Unable to contact the recipient temporarily"
        "DeliveryFailure_NoBody": Meaning(
            S.DELIVERY_ATTEMPT_FAILED, X.RECIPIENT_UNAVAILABLE, reason=R.CONSIGNEE
        ),
        # "Issues with security, customs clearance, or fees"
        "DeliveryFailure_Security": Meaning(S.DELIVERY_ATTEMPT_FAILED, X.SECURITY_ISSUE),
        "DeliveryFailure_Rejected": Meaning(
            S.DELIVERY_ATTEMPT_FAILED, X.REFUSED, reason=R.CONSIGNEE
        ),
        "DeliveryFailure_InvalidAddress": Meaning(
            S.DELIVERY_ATTEMPT_FAILED, X.ADDRESS_ISSUE, action_required=True, reason=R.CONSIGNEE
        ),
        "Delivered_Other": Meaning(S.DELIVERED, X.DELIVERED),
        "Exception_Other": Meaning(S.EXCEPTION, X.OTHER),
        "Exception_Returning": Meaning(S.RETURNING_TO_SENDER, X.RETURN_TO_SENDER),
        "Exception_Returned": Meaning(S.RETURNED_TO_SENDER, X.RETURNED_TO_SENDER),
        # Recipient cannot be found: its details were found wrong before delivery.
        "Exception_NoBody": Meaning(
            S.EXCEPTION, X.RECIPIENT_UNAVAILABLE, action_required=True, reason=R.CONSIGNEE
        ),
        # Security, clearance or fee problem found before delivery.
        "Exception_Security": Meaning(S.EXCEPTION, X.SECURITY_ISSUE),
        "Exception_Damage": Meaning(S.EXCEPTION, X.DAMAGED, reason=R.CARRIER),
        # Refusal known before delivery.
        "Exception_Rejected": Meaning(S.EXCEPTION, X.REFUSED, reason=R.CONSIGNEE),
        # "may exceed the original transit time" for various reasons: cause unknown.
        "Exception_Delayed": Meaning(S.EXCEPTION, X.CARRIER_DELAY),
        "Exception_Lost": Meaning(S.LOST, X.LOST, reason=R.CARRIER),
        # Undeliverable goods destroyed.
        "Exception_Destroyed": Meaning(S.LOST, X.DISPOSED),
        "Exception_Cancel": Meaning(S.CANCELLED, X.CANCELLED),
    },
    case_sensitive=True,
)

# The 9 milestone stages (`milestone[].key_stage`, events' `stage`), for events without a
# sub-status.
STAGES = CodeTable(
    SLUG,
    {
        "InfoReceived": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        "PickedUp": Meaning(S.IN_TRANSIT, X.PICKED_UP),
        "Departure": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),
        "Arrival": Meaning(S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
        "AvailableForPickup": Meaning(
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "OutForDelivery": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
        "Delivered": Meaning(S.DELIVERED, X.DELIVERED),
        "Returning": Meaning(S.RETURNING_TO_SENDER, X.RETURN_TO_SENDER),
        "Returned": Meaning(S.RETURNED_TO_SENDER, X.RETURNED_TO_SENDER),
    },
    case_sensitive=True,
)


UNCLASSIFIED = "unclassified"


def meaning_for(sub_status: str | None, stage: str | None) -> tuple[str, Meaning, bool]:
    """(raw code, meaning, known) of one event's classification."""
    if sub_status:
        prefix = sub_status.split("_", 1)[0]
        meaning, known = SUB_STATUSES.lookup(sub_status, MAIN_STATUSES.get(prefix, S.IN_TRANSIT))
        return sub_status, meaning, known
    if stage:
        meaning, known = STAGES.lookup(stage, S.IN_TRANSIT)
        return stage, meaning, known
    meaning, _ = SUB_STATUSES.lookup(UNCLASSIFIED, S.IN_TRANSIT)
    return UNCLASSIFIED, meaning, False
