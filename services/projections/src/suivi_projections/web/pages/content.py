"""The status page's view models: plain values, already translated and formatted.

`PublicOrder` and everything inside it has no field that could hold personal data: it is all
the shareable page ever receives. `PrivateDetails` holds the private page's personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from suivi_projections.web.pages.handoffs import Handoff


@dataclass(frozen=True, slots=True)
class Stage:
    label: str
    state: str  # "done" | "current" | "todo"


@dataclass(frozen=True, slots=True)
class Event:
    time: str
    title: str
    detail: str | None  # the carrier's own words: private page only
    place: str | None
    action_required: bool
    newest: bool
    carrier: str | None = None  # who reported it, when the parcel changed hands (issue 17)


@dataclass(frozen=True, slots=True)
class Day:
    label: str
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Advice:
    tone: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Eta:
    label: str  # "Expected delivery" / "Delivered"
    text: str
    source: str | None
    delivered: bool = False
    prediction: str | None = None  # ours, in words (issue 21)
    note: str | None = None  # the carrier's date revised, or ours running later than it


@dataclass(frozen=True, slots=True)
class Parcel:
    heading: str
    carrier: str
    tracking_number: str
    carrier_url: str | None  # the carrier's own tracking page (private page only)
    status: str
    detail: str | None
    tone: str
    cancelled: bool
    eta: Eta | None
    advice: Advice | None
    last_update: str | None
    items: tuple[Item, ...]
    days: tuple[Day, ...]
    handoffs: tuple[Handoff, ...] = ()  # the carriers it was handed to, in order (issue 17)


@dataclass(frozen=True, slots=True)
class PublicOrder:
    """Everything the shareable page may show; nothing here identifies the shopper."""

    merchant: str
    order_number: str
    language: str
    headline: str
    subline: str
    next_step: str | None  # a concern's "what happens next, who to contact"
    tone: str
    concern: str | None
    help_topic: str | None  # the help page's section for the concern (/help#late …)
    cancelled: bool
    stages: tuple[Stage, ...]
    parcels: tuple[Parcel, ...]
    unshipped: tuple[Item, ...]
    items: tuple[Item, ...]
    placed_on: str
    last_scan: str  # the last carrier scan of any active parcel, never the order's edit time


@dataclass(frozen=True, slots=True)
class PrivateDetails:
    """Personal data of the private page, kept apart so that a shared render cannot reach it."""

    name: str | None
    email: str | None
    phone: str | None
    address_lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Brand:
    """The shop's look and contacts on its pages (no shopper data): colour already readable."""

    colour: str
    contact_email: str | None
    contact_url: str | None
    message: str | None
    logo_url: str | None = None  # https only; the page's CSP allows its origin
    return_policy_url: str | None = None
