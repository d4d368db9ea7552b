"""The pure rules folded over events in memory: the reference the PostgreSQL path must match."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from suivi_projections.domain.orders import LinkedShipment, OrderStatus, links_of, order_status
from suivi_projections.domain.shipments import (
    DEFAULT_REUSE_AFTER,
    Checkpoint,
    Generation,
    Items,
    Key,
    OrderKey,
    key_of,
    reduce_shipment,
    split_generations,
)
from suivi_schemas import OrderEvent, ShipmentStatusEvent
from suivi_schemas.order_state import OrderState

GenerationKey = tuple[str, str, int]  # (carrier, tracking number, generation)


@dataclass(frozen=True, slots=True)
class OrderModel:
    event_id: UUID
    status: OrderStatus
    links: tuple[tuple[GenerationKey, str, Items], ...]  # by position: (generation, state, items)


@dataclass(frozen=True, slots=True)
class ModelState:
    """The whole read model, minus what is random (tokens) or a wall-clock time."""

    shipments: dict[GenerationKey, Generation] = field(default_factory=dict)
    timelines: dict[GenerationKey, tuple[UUID, ...]] = field(default_factory=dict)  # oldest first
    orders: dict[OrderKey, OrderModel] = field(default_factory=dict)


class Projection:
    """Applies events one at a time; `state()` is the read model they lead to."""

    def __init__(self, reuse_after: timedelta = DEFAULT_REUSE_AFTER) -> None:
        self.reuse_after = reuse_after
        self.events: dict[Key, dict[UUID, Checkpoint]] = {}
        self.orders: dict[OrderKey, OrderState] = {}

    def apply(self, event: ShipmentStatusEvent | OrderEvent) -> None:
        if isinstance(event, OrderEvent):
            key = (event.merchant_id, event.order_number)
            self.orders[key] = self.orders.get(key, OrderState()).apply(event)
            return
        checkpoints = self.events.setdefault(key_of(event.carrier, event.tracking_number), {})
        checkpoints.setdefault(event.event_id, Checkpoint.of(event))

    def state(self) -> ModelState:
        model = ModelState()
        anchors: dict[Key, list[tuple[OrderKey, int]]] = {}
        merged = {key: state.merge() for key, state in self.orders.items()}
        shown = {key: order for key, order in merged.items() if order is not None}
        order_links = {key: links_of(order) for key, order in shown.items()}
        for order_key, links in order_links.items():
            for index, link in enumerate(links):
                anchors.setdefault(link.key, []).append((order_key, index))
        linked: dict[tuple[OrderKey, int], int] = {}
        for key in self.events.keys() | anchors.keys():
            checkpoints = self.events.get(key, {}).values()
            refs = anchors.get(key, [])
            moments = [order_links[o][i].anchor for o, i in refs]
            generations, numbers = reduce_shipment(checkpoints, moments, self.reuse_after)
            linked.update(zip(refs, numbers, strict=True))
            groups = split_generations(checkpoints, self.reuse_after)
            for generation in generations:
                gkey = (*key, generation.number)
                model.shipments[gkey] = generation
                group = groups[generation.number - 1] if generation.number <= len(groups) else []
                model.timelines[gkey] = tuple(c.event_id for c in group)
        for order_key, order in shown.items():
            views = []
            facts = []
            for index, link in enumerate(order_links[order_key]):
                gkey = (*link.key, linked[(order_key, index)])
                views.append((gkey, link.state, link.items))
                shipment = model.shipments[gkey]
                facts.append(
                    LinkedShipment(
                        link.state, link.items, shipment.status, shipment.action_required
                    )
                )
            line_items = tuple((i.line_item_id, i.quantity) for i in order.line_items)
            status = order_status(cancelled=order.cancelled, line_items=line_items, shipments=facts)
            model.orders[order_key] = OrderModel(order.event_id, status, tuple(views))
        return model
