"""The demo made concrete, without I/O: order numbers, fresh tracking numbers, the order API
bodies and every webhook body, each at its second of the timeline.

Times: a checkpoint that happens `at` seconds into the demo is dated `Clock.happened(at)`. At
full speed that is the wall-clock time of that second, minus the carrier's reporting delay
(`LAG`); with `--fast` (speed > 1) the timeline keeps its full-speed spacing but ends when the
compressed run does, so checkpoints are never in the future and stay minutes apart.
"""

from __future__ import annotations

import random
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import SecretStr

from demo.scenarios import BAD_SIGNATURE_AT, POISON_AT, SPAN, STORIES, Checkpoint, Story
from demo.webhooks import Template, delivery_id, fresh_tracking_number, retarget, suivi_body
from suivi_infra.tokens import share_token, status_token
from suivi_schemas.ids import normalize_tracking_number

LAG = timedelta(seconds=60)
_ZONES = {"FR": "Europe/Paris", "DE": "Europe/Berlin", "GB": "Europe/London", "US": "UTC"}

ActionKind = Literal["order", "webhook", "push", "poison", "bad_signature"]


@dataclass(frozen=True, slots=True)
class Clock:
    start: datetime
    speed: float = 1.0

    def offset_seconds(self, at: float) -> float:
        """Seconds after `start` at which the demo's second `at` is played."""
        return at / self.speed

    def happened(self, at: float) -> datetime:
        shift = SPAN / self.speed - SPAN + at
        return self.start + timedelta(seconds=shift) - LAG


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    story: Story
    order_number: str
    numbers: dict[str, str]  # parcel label → fresh tracking number
    status_token: str
    share_token: str
    body: dict[str, Any]

    @property
    def merchant(self) -> str:
        return self.story.merchant


@dataclass(frozen=True, slots=True)
class Action:
    at: float
    kind: ActionKind
    order: PlannedOrder | None = None
    provider: str = "suivi"
    body: bytes = b""
    statuses: tuple[str, ...] = ()  # what the normalizer should make of the body


@dataclass(slots=True)
class Plan:
    clock: Clock
    run_id: str
    orders: list[PlannedOrder] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    def webhooks(self) -> list[Action]:
        return [a for a in self.actions if a.kind == "webhook"]


def run_id_for(start: datetime) -> str:
    """Four base-36 characters from the start time: order numbers fresh for each run."""
    value = int(start.timestamp()) % 36**4
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(4):
        value, rest = divmod(value, 36)
        out = digits[rest] + out
    return out


def build_plan(token_key: SecretStr, clock: Clock, *, seed: int | None = None) -> Plan:
    # Demo data, not secrets: a seeded generator (tests reproduce a plan).
    rng = random.Random(seed if seed is not None else clock.start.timestamp())  # noqa: S311
    plan = Plan(clock, run_id_for(clock.start))
    for index, story in enumerate(STORIES, start=1):
        numbers = {p.label: fresh_tracking_number(p.sample, rng) for p in story.parcels}
        order_number = f"D{plan.run_id}-{index:02d}"
        order = PlannedOrder(
            story,
            order_number,
            numbers,
            status_token(token_key, story.merchant, order_number),
            share_token(token_key, story.merchant, order_number),
            _order_body(story, order_number, numbers, clock),
        )
        plan.orders.append(order)
        plan.actions.append(Action(story.order_at, "order", order))
        if story.shopper.push:
            plan.actions.append(Action(story.order_at + 3, "push", order))
        bodies: list[tuple[bytes, tuple[str, ...]]] = []
        for send in story.sends:
            if send.repeat is not None:
                body, statuses = bodies[send.repeat]
                provider = story.sends[send.repeat].provider
            elif send.template is not None:
                body, statuses = _from_fixture(send.template, send.parcels, order, clock, send.at)
                provider = send.provider
            else:
                [label] = send.parcels
                parcel = next(p for p in story.parcels if p.label == label)
                events = [_suivi_event(cp, clock, send.at) for cp in send.checkpoints]
                body = suivi_body(parcel.carrier, numbers[label], events, delivery_id=delivery_id())
                statuses = tuple(cp.status for cp in send.checkpoints)
                provider = "suivi"
            bodies.append((body, statuses))
            plan.actions.append(Action(send.at, "webhook", order, provider, body, statuses))
    poison = b'{"delivery_id":"demo_poison","carrier":"ups","tracking_number":"1Z0000000000000000"}'
    plan.actions.append(Action(POISON_AT, "poison", None, "suivi", poison))
    plan.actions.append(Action(BAD_SIGNATURE_AT, "bad_signature", None, "easypost", b"{}"))
    plan.actions.sort(key=lambda a: (a.at, a.kind != "order"))
    return plan


def _from_fixture(
    template: Template, labels: tuple[str, ...], order: PlannedOrder, clock: Clock, at: float
) -> tuple[bytes, tuple[str, ...]]:
    originals = [number for _, number in template.parcels()]
    if len(originals) != len(labels):
        raise ValueError(f"{template.name}: {len(originals)} parcels, story maps {len(labels)}")
    numbers = {
        normalize_tracking_number(original): order.numbers[label]
        for original, label in zip(originals, labels, strict=True)
    }
    body = retarget(template, numbers, clock.happened(at), delivery_id=delivery_id())
    return body, tuple(template.statuses())


def _suivi_event(cp: Checkpoint, clock: Clock, at: float) -> dict[str, Any]:
    when = clock.happened(cp.happened if cp.happened is not None else at)
    zone = zoneinfo.ZoneInfo(_ZONES.get(cp.country, "UTC"))
    event: dict[str, Any] = {
        "status": cp.status,
        "occurred_at": when.astimezone(zone).isoformat(timespec="seconds"),
        "message": cp.message,
        "location": {"city": cp.city, "country": cp.country},
    }
    if cp.substatus is not None:
        event["substatus"] = cp.substatus
    if cp.reason is not None:
        event["reason"] = cp.reason
    return event


def _order_body(
    story: Story, order_number: str, numbers: dict[str, str], clock: Clock
) -> dict[str, Any]:
    shopper = story.shopper
    updated = clock.happened(story.order_at) + LAG
    customer: dict[str, Any] = {
        "email": shopper.email,
        "name": shopper.name,
        "locale": shopper.locale,
        "timezone": shopper.timezone,
    }
    if shopper.phone is not None:
        customer["phone"] = shopper.phone
    return {
        "order_number": order_number,
        "placed_at": (updated - timedelta(days=story.placed_days_ago)).isoformat(
            timespec="seconds"
        ),
        "updated_at": updated.astimezone(UTC).isoformat(timespec="seconds"),
        "customer": customer,
        "notifications": {"email": True, "sms": shopper.sms, "push": shopper.push},
        "line_items": [
            {"line_item_id": f"L{i}", "title": p.item, "quantity": 1}
            for i, p in enumerate(story.parcels, start=1)
        ],
        "shipments": [
            {
                "carrier": p.carrier,
                "tracking_number": numbers[p.label],
                "items": [{"line_item_id": f"L{i}", "quantity": 1}],
            }
            for i, p in enumerate(story.parcels, start=1)
        ],
    }
