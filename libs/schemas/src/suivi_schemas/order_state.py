"""How a reader combines order snapshots and fulfilment events (see suivi_schemas.orders).

`OrderState.apply` keeps the newest snapshot and the newest event per fulfilment; `merge` gives
the order to show. Any arrival order of the same events ends in the same merged order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from suivi_schemas.orders import OrderEvent, OrderEventKind, OrderShipment


def _version(event: OrderEvent) -> tuple[datetime, str]:
    # Equal updated_at: the larger event id wins, so every reader converges whatever the order.
    return (event.updated_at, str(event.event_id))


@dataclass(frozen=True, slots=True)
class OrderState:
    """What a reader keeps per `merchant:order_number`: the newest snapshot, and the newest
    fulfilment event per fulfilment id."""

    snapshot: OrderEvent | None = None
    fulfillments: Mapping[str, OrderEvent] = field(default_factory=dict)

    def apply(self, event: OrderEvent) -> OrderState:
        new = event
        if new.kind is OrderEventKind.SNAPSHOT:
            if self.snapshot is not None and _version(new) <= _version(self.snapshot):
                return self
            return OrderState(new, self.fulfillments)
        assert new.fulfillment_id is not None  # the model guarantees it
        known = self.fulfillments.get(new.fulfillment_id)
        if known is not None and _version(new) <= _version(known):
            return self
        return OrderState(self.snapshot, {**self.fulfillments, new.fulfillment_id: new})

    def merge(self) -> OrderEvent | None:
        """The order as readers show it; None until a snapshot arrived.

        Order fields come from the newest snapshot. A fulfilment's parcels come from its newest
        fulfilment event when that is not older than the snapshot, else from the snapshot
        (which, being newer, is authoritative: a fulfilment it no longer lists is gone). Parcels
        without a fulfilment id belong to snapshots only. One entry per shipment key: an active
        parcel beats a cancelled one.
        """
        snapshot = self.snapshot
        if snapshot is None:
            return None
        fresher = {
            fid: event
            for fid, event in sorted(self.fulfillments.items())
            if event.updated_at >= snapshot.updated_at
        }
        parcels = [s for s in snapshot.shipments if s.fulfillment_id not in fresher]
        parcels += [s for event in fresher.values() for s in event.shipments]
        by_key: dict[str, OrderShipment] = {}
        for parcel in parcels:
            kept = by_key.get(parcel.key)
            if kept is None or (kept.state == "cancelled" and parcel.state == "active"):
                by_key[parcel.key] = parcel
        return snapshot.model_copy(update={"shipments": tuple(by_key.values())})
