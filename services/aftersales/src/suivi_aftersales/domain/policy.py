"""A merchant's return policy and the rules a shopper's request must meet (pure: `now` is given)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from suivi_schemas.common import Slug
from suivi_schemas.returns import ReturnMethod


class ReasonOption(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: Slug
    label_en: str = Field(min_length=1, max_length=80)
    label_fr: str = Field(min_length=1, max_length=80)


class AutoApproval(BaseModel):
    """Approve at once when every item's reason is listed (none listed: any) and the request
    holds at most `max_quantity` units (None: any)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    enabled: bool = False
    reasons: tuple[Slug, ...] = ()
    max_quantity: int | None = Field(default=None, ge=1)


DEFAULT_REASONS = (
    ReasonOption(code="too_small", label_en="Too small", label_fr="Trop petit"),
    ReasonOption(code="too_large", label_en="Too large", label_fr="Trop grand"),
    ReasonOption(code="damaged", label_en="Arrived damaged", label_fr="Arrivé abîmé"),
    ReasonOption(code="not_as_described", label_en="Not as described",
                 label_fr="Non conforme à la description"),
    ReasonOption(code="changed_mind", label_en="Changed my mind", label_fr="J'ai changé d'avis"),
)  # fmt: skip


class Policy(BaseModel):
    """What a merchant offers; set through the merchant API (`PUT /v1/returns/policy`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    window_days: int = Field(default=30, ge=1, le=365, description="Days after delivery.")
    ineligible_skus: tuple[str, ...] = Field(default=(), max_length=1000)
    reasons: tuple[ReasonOption, ...] = Field(default=DEFAULT_REASONS, min_length=1, max_length=30)
    paid_by: Literal["merchant", "shopper"] = "merchant"
    methods: tuple[ReturnMethod, ...] = Field(default=(ReturnMethod.DROP_OFF_LABEL,), min_length=1)
    auto_approval: AutoApproval = AutoApproval()
    reminder_days: int = Field(default=7, ge=1, le=90, description="Approved, not dropped off.")
    expire_days: int = Field(default=14, ge=1, le=180, description="Approved, then expired.")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.expire_days <= self.reminder_days:
            raise ValueError("expire_days must be after reminder_days")
        if len({r.code for r in self.reasons}) != len(self.reasons):
            raise ValueError("reason codes must be distinct")
        return self

    def reason_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.reasons)


@dataclass(frozen=True, slots=True)
class Line:
    line_item_id: str
    title: str
    sku: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What after-sales knows of an order (from `commerce.orders.v1` and the parcels' events)."""

    merchant_id: str
    order_number: str
    cancelled: bool
    delivered_at: datetime | None  # when its last active parcel was delivered; None until all are
    lines: Mapping[str, Line]
    locale: str


@dataclass(frozen=True, slots=True)
class RequestedItem:
    line_item_id: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused: a stable code, the HTTP status, and words for people."""

    code: str
    status: int
    detail: str


def window_end(order: OrderFacts, policy: Policy) -> datetime | None:
    if order.delivered_at is None:
        return None
    return order.delivered_at + timedelta(days=policy.window_days)


def can_start(order: OrderFacts, policy: Policy, now: datetime) -> Refusal | None:
    """Whether a return may be started at all (before any item is chosen)."""
    if order.cancelled:
        return Refusal("order_cancelled", 409, "this order was cancelled")
    end = window_end(order, policy)
    if end is None:
        return Refusal("not_delivered", 409, "returns open once the order has been delivered")
    if now > end:
        return Refusal(
            "window_closed", 409, f"the return window of {policy.window_days} days has closed"
        )
    return None


def check_request(
    order: OrderFacts,
    policy: Policy,
    items: Sequence[RequestedItem],
    method: ReturnMethod,
    already_returned: Mapping[str, int],
    now: datetime,
) -> Refusal | None:
    """None when the request can become a return; else the first rule it breaks."""
    refused = can_start(order, policy, now)
    if refused is not None:
        return refused
    if not items:
        return Refusal("no_items", 422, "choose at least one item to return")
    if method not in policy.methods:
        return Refusal("method_not_offered", 422, "this return method is not offered")
    reasons = policy.reason_codes()
    seen: set[str] = set()
    for item in items:
        line = order.lines.get(item.line_item_id)
        if line is None or item.line_item_id in seen:
            return Refusal("unknown_item", 422, "an item is not part of this order")
        seen.add(item.line_item_id)
        if line.sku is not None and line.sku in policy.ineligible_skus:
            return Refusal("ineligible_item", 422, f"“{line.title}” cannot be returned")
        left = line.quantity - already_returned.get(line.line_item_id, 0)
        if item.quantity < 1 or item.quantity > left:
            return Refusal(
                "over_quantity", 422, f"at most {max(left, 0)} of “{line.title}” can be returned"
            )
        if item.reason not in reasons:
            return Refusal("unknown_reason", 422, "choose one of the listed reasons")
    return None


def auto_approves(policy: Policy, items: Sequence[RequestedItem]) -> bool:
    rule = policy.auto_approval
    if not rule.enabled:
        return False
    if rule.reasons and any(i.reason not in rule.reasons for i in items):
        return False
    return rule.max_quantity is None or sum(i.quantity for i in items) <= rule.max_quantity
