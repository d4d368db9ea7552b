"""`tracking.legs.v1`: one parcel carried by several carriers under several numbers ("legs").

A leg is one `carrier:TRACKINGNUMBER`. A link says that the parcel of `from_*` continues as
`to_*` (the origin post or consolidator hands it to the destination's post or courier, often
under a new number). The event id is a function of the two legs only, so the same hand-off
told by AfterShip, by 17TRACK and by the merchant is one event: consumers keep links as a set
and derive the grouping from it, whatever the order in which links and legs' events arrive.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from suivi_schemas.common import IDENTIFIER_RULE, Contract, Identifier, Slug
from suivi_schemas.ids import derived_event_id, normalize_tracking_number, shipment_key


class LinkSource(StrEnum):
    """Who said that the two legs are one parcel."""

    LAST_MILE = "last_mile"  # an aggregator's last-mile fields (AfterShip `last_mile`)
    PROVIDERS = "providers"  # an aggregator lists several carriers for one number (17TRACK)
    CARRIER_EVENT = "carrier_event"  # a checkpoint names the next carrier's number
    UPU_S10 = "upu_s10"  # an S10 number handed to the destination post under the same number
    API = "api"  # the merchant, through the tracker's API


def leg_link_id(from_carrier: str, from_number: str, to_carrier: str, to_number: str) -> uuid.UUID:
    """Deterministic id of a hand-off: UUIDv5 of both legs' keys, whoever reports it."""
    return derived_event_id(
        "leg-link", shipment_key(from_carrier, from_number), shipment_key(to_carrier, to_number)
    )


class LegLinkEvent(Contract):
    """The parcel of one leg continues as another leg (a hand-off between carriers)."""

    schema_version: Literal[1] = 1
    event_id: uuid.UUID = Field(
        description="Deterministic (UUIDv5 of both legs' carrier:TRACKINGNUMBER keys): the same "
        "hand-off reported by several sources is one event."
    )
    from_carrier: Slug = Field(description="The earlier leg's carrier (origin post, consolidator).")
    from_tracking_number: Identifier = Field(min_length=1, max_length=64)
    to_carrier: Slug = Field(description="The next leg's carrier (destination post, courier).")
    to_tracking_number: Identifier = Field(min_length=1, max_length=64, description=IDENTIFIER_RULE)
    source: LinkSource
    provider: Slug = Field(description="Who told us: aftership, 17track, … or merchant (API).")
    merchant_id: Identifier | None = Field(
        default=None, max_length=64, description="The merchant who linked them (API only)."
    )
    linked_at: AwareDatetime = Field(description="When Suivi learned the link.")

    @model_validator(mode="after")
    def _two_legs(self) -> Self:
        if self.from_key == self.to_key:
            raise ValueError("a leg cannot be linked to itself")
        return self

    @property
    def from_key(self) -> str:
        return shipment_key(self.from_carrier, self.from_tracking_number)

    @property
    def to_key(self) -> str:
        return shipment_key(self.to_carrier, self.to_tracking_number)

    @property
    def key(self) -> str:
        """Kafka key: the earlier leg's, so a leg's onward links stay in order."""
        return self.from_key

    @classmethod
    def of(
        cls,
        from_leg: tuple[str, str],
        to_leg: tuple[str, str],
        *,
        source: LinkSource,
        provider: str,
        linked_at: object,
        merchant_id: str | None = None,
    ) -> LegLinkEvent:
        """The link with its deterministic id; numbers normalized (no spaces, upper case)."""
        (fc, fn), (tc, tn) = from_leg, to_leg
        fn, tn = normalize_tracking_number(fn), normalize_tracking_number(tn)
        return cls.model_validate(
            {
                "event_id": leg_link_id(fc, fn, tc, tn),
                "from_carrier": fc,
                "from_tracking_number": fn,
                "to_carrier": tc,
                "to_tracking_number": tn,
                "source": source,
                "provider": provider,
                "merchant_id": merchant_id,
                "linked_at": linked_at,
            }
        )
