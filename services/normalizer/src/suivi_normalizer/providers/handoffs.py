"""Hand-offs between carriers in aggregators' bodies → leg links (pure; issue 17).

Read where the aggregators say so (their public documentation):
- AfterShip: the tracking's `last_mile` object (`slug`, `tracking_number`, `source`,
  `courier_tracking_link`; Tracking API 2024-04 and later, SDK model `LastMileTracking`): the
  last-mile carrier and its own number. A checkpoint whose own `slug` names another carrier is
  that carrier's scan under the same number.
- 17TRACK v2.2: `track_info.tracking.providers[]`, one per carrier that reported the number
  (`provider.key`, 17TRACK's carrier code); the registered carrier is `data.carrier`. The
  later leg is the provider in the recipient's country (`shipping_info.recipient_address`),
  else the one whose first scan is later.
- Any carrier's event text naming the next carrier's number ("handed over to La Poste,
  tracking number 6A…"): a number of a distinctive format (detection ≥ 0.8) in a checkpoint
  message that speaks of a hand-off.
- UPU S10: an S10 number (check digit valid) whose recipient country is not its origin's is
  handed to the destination's post under the same number (detection's S10 operators).

Every reader returns (from leg, to leg, source) triples; `domain/legs.py` makes the events.
A malformed hint is ignored, never a reason to refuse the body (its checkpoints are what count).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

from suivi_normalizer.providers.aftership import country_alpha2
from suivi_normalizer.providers.base import text
from suivi_normalizer.providers.seventeentrack import carrier_slug
from suivi_schemas.carriers import DISPLAY_NAMES, canonical_carrier
from suivi_schemas.detection import S10_OPERATORS, detect, s10_check_digit
from suivi_schemas.ids import normalize_tracking_number
from suivi_schemas.legs import LinkSource

Leg = tuple[str, str]  # (carrier slug, normalized tracking number)
Hint = tuple[Leg, Leg, LinkSource]

_S10 = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")
_HANDOFF_WORDS = re.compile(
    r"hand(?:ed)?[ -]?over|handed to|transferred to|forwarded to|last[ -]mile|remis (?:à|a)|"
    r"confi[ée] (?:à|a)|pris en charge par|nouveau num[ée]ro|new tracking|übergeben",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\b[A-Z0-9]{10,34}\b")
CONFIDENT = 0.8


def _leg(carrier: Any, number: Any) -> Leg | None:
    name, value = text(carrier), text(number)
    if name is None or value is None or not isinstance(number, str) or len(value) > 64:
        return None
    try:
        return canonical_carrier(name), normalize_tracking_number(value)
    except ValueError:
        return None


def s10_destination_post(number: str, destination: str | None) -> str | None:
    """The destination's post for an S10 number leaving its origin country, else None."""
    if destination is None or not _S10.match(number) or number[-2:] == destination:
        return None
    if str(s10_check_digit(number[2:10])) != number[10]:
        return None
    posts = S10_OPERATORS.get(destination)
    return posts[0][0] if posts else None


def _s10(leg: Leg, destination: str | None) -> Iterator[Hint]:
    post = s10_destination_post(leg[1], destination)
    if post is not None and post != leg[0]:
        yield leg, (post, leg[1]), LinkSource.UPU_S10


def _named(carrier: str) -> str | None:
    """A carrier named in words in a message ('La Poste', 'Royal Mail'), as its slug."""
    return _NAMES.get(carrier.casefold())


_NAMES = {name.casefold(): slug for slug, name in DISPLAY_NAMES.items() if len(name) > 3}
_NAME_RE = re.compile(
    r"\b(" + "|".join(re.escape(n) for n in sorted(_NAMES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=65536)
def _may_hand_off(message: str) -> bool:
    """Whether the words speak of a hand-off (pure; scans' wordings repeat: searched once)."""
    return _HANDOFF_WORDS.search(message) is not None


def from_messages(leg: Leg, messages: Iterator[str | None]) -> Iterator[Hint]:
    """A checkpoint's words naming the next carrier's number (see the module docstring)."""
    for message in messages:
        if not message or not _may_hand_off(message):
            continue
        named = _NAME_RE.search(message)
        for token in _TOKEN.findall(message.upper()):
            if token == leg[1] or not any(c.isdigit() for c in token):
                continue
            found = detect(token)
            carrier = found[0].carrier if found and found[0].confidence >= CONFIDENT else None
            if carrier is None and named is not None:
                carrier = _named(named.group(1))
            if carrier is not None and (carrier, token) != leg:
                yield leg, (carrier, token), LinkSource.CARRIER_EVENT


def aftership(payload: Any) -> Iterator[Hint]:
    msg = payload.get("msg") if isinstance(payload, dict) else None
    if not isinstance(msg, dict):
        return
    leg = _leg(msg.get("slug"), msg.get("tracking_number"))
    if leg is None:
        return
    last = msg.get("last_mile")
    if isinstance(last, dict):
        to = _leg(last.get("slug"), last.get("tracking_number") or msg.get("tracking_number"))
        if to is not None and to != leg:
            yield leg, to, LinkSource.LAST_MILE
    checkpoints = msg.get("checkpoints")
    checkpoints = (
        [c for c in checkpoints if isinstance(c, dict)] if isinstance(checkpoints, list) else []
    )
    for cp in checkpoints:
        other = _leg(cp.get("slug"), msg.get("tracking_number"))
        if other is not None and other != leg:
            yield leg, other, LinkSource.PROVIDERS
    destination = country_alpha2(
        msg.get("destination_country_region") or msg.get("destination_country_iso3")
    )
    yield from _s10(leg, destination)
    yield from from_messages(leg, (text(cp.get("message")) for cp in checkpoints))


def _first_scan(entry: dict[str, Any]) -> str:
    events = entry.get("events")
    times = [
        str(e.get("time_utc") or e.get("time_iso") or "")
        for e in (events if isinstance(events, list) else [])
        if isinstance(e, dict)
    ]
    return min((t for t in times if t), default="~")  # no scan: after every dated one


def seventeentrack(payload: Any) -> Iterator[Hint]:
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or payload.get("event") != "TRACKING_UPDATED":
        return
    info = data.get("track_info")
    code = data.get("carrier")
    if not isinstance(info, dict) or isinstance(code, bool) or not isinstance(code, int):
        return
    tracking = info.get("tracking")
    providers = tracking.get("providers") if isinstance(tracking, dict) else None
    providers = [p for p in providers if isinstance(p, dict)] if isinstance(providers, list) else []
    leg = _leg(carrier_slug(code, providers), data.get("number"))
    if leg is None:
        return
    shipping = info.get("shipping_info")
    recipient = shipping.get("recipient_address") if isinstance(shipping, dict) else None
    destination = country_alpha2(recipient.get("country")) if isinstance(recipient, dict) else None
    legs: list[tuple[bool, str, Leg]] = []
    for entry in providers:
        provider = entry.get("provider")
        key = provider.get("key") if isinstance(provider, dict) else None
        if isinstance(key, bool) or not isinstance(key, int):
            continue
        other = (carrier_slug(key, providers), leg[1])
        country = country_alpha2(provider.get("country")) if isinstance(provider, dict) else None
        legs.append((destination is not None and country == destination, _first_scan(entry), other))
    if leg not in (other for _, _, other in legs):
        legs.append((False, "", leg))  # the registered carrier, even with no scan of its own
    ordered = [other for *_, other in sorted(legs, key=lambda x: (x[0], x[1]))]
    for before, after in pairwise(ordered):
        if before != after:
            yield before, after, LinkSource.PROVIDERS
    yield from _s10(leg, destination)
    messages = (
        text(e.get("description"))
        for entry in providers
        for e in (entry.get("events") if isinstance(entry.get("events"), list) else [])
        if isinstance(e, dict)
    )
    yield from from_messages(leg, messages)


READERS: dict[str, Callable[[Any], Iterator[Hint]]] = {
    "aftership": aftership,
    "17track": seventeentrack,
}
