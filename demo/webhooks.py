"""Carrier webhooks for the demo: golden fixtures made fresh, Suivi-format bodies, signatures.

A golden fixture (`services/normalizer/tests/fixtures/<provider>/<name>.json`) is a body exactly as
a provider POSTs it. `retarget` gives it fresh tracking numbers and moves every time in it by the
same amount so that its latest checkpoint falls at a chosen instant; the result is checked with
the normalizer's own adapter (`normalize`) and corrected once when a zone rule (a local time
without an offset, across a DST change) moved it off target. Formats handled: ISO 8601 date-times
(with or without offset, `Z`, fractions), ISO dates, and compact `…Date: YYYYMMDD` /
`…Time: HHMMSS` pairs (UPS).
"""

from __future__ import annotations

import functools
import json
import random
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from suivi_ingest.testing.signers import (
    aftership_headers,
    dhl_headers,
    easypost_headers,
    fedex_headers,
    seventeentrack_headers,
    shippo_headers,
    suivi_headers,
    ups_headers,
)
from suivi_ingest.webhooks.providers import RELAYED_NUMBERS
from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.testing.envelope import envelope_for
from suivi_schemas import ShipmentStatusEvent
from suivi_schemas.ids import normalize_tracking_number
from suivi_schemas.providers import BY_SLUG

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "services" / "normalizer" / "tests" / "fixtures"

_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})([T ])(\d{2}:\d{2})(.*)$")
_ISO_REST = re.compile(r"^(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$")  # seconds, offset
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY = timedelta(days=1)
_COMPACT_DATE = re.compile(r"^\d{8}$")
_COMPACT_TIME = re.compile(r"^\d{6}$")
# Where each provider puts the id of a delivery (kept by ingest for deduplication).
_DELIVERY_IDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "easypost": (("id",),),
    "aftership": (("event_id",),),
    "shippo": (("data", "tracking_status", "object_id"),),
    "suivi": (("delivery_id",),),
    "fedex": (("transactionId",),),
}


@dataclass(frozen=True, slots=True)
class Template:
    """A golden fixture used as the template of a provider's webhook."""

    provider: str
    name: str

    @property
    def path(self) -> Path:
        return FIXTURES / self.provider / f"{self.name}.json"

    def payload(self) -> Any:
        return _load(self.path)

    def expected(self) -> list[dict[str, Any]]:
        return _expected(self.path.with_name(f"{self.name}.expected.jsonl"))

    def parcels(self) -> list[tuple[str, str]]:
        """(carrier slug, tracking number) of every shipment the body speaks of."""
        return sorted({(e["carrier"], e["tracking_number"]) for e in self.expected()})

    def statuses(self) -> list[str]:
        return [e["status"] for e in self.expected()]


@functools.cache
def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _expected(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def fresh_tracking_number(original: str, rng: random.Random) -> str:
    """Same shape as `original` (letters and prefix kept, digits drawn again): `1Z999AA1…` →
    `1Z999AA1…` with new digits after the first two characters."""
    head, tail = original[:2], original[2:]
    while True:
        drawn = "".join(str(rng.randrange(10)) if c.isdigit() else c for c in tail)
        if drawn != tail or not any(c.isdigit() for c in tail):
            return head + drawn


def _shift_iso(value: str, delta: timedelta) -> str | None:
    match = _ISO.match(value)
    if match is None:
        if _DATE.match(value):
            moved_day = datetime.strptime(value, "%Y-%m-%d") + timedelta(days=round(delta / DAY))
            return moved_day.strftime("%Y-%m-%d")
        return None
    day, sep, hhmm, rest = match.groups()
    if rest and not _ISO_REST.match(rest):
        return None
    try:
        moved = datetime.strptime(f"{day} {hhmm}", "%Y-%m-%d %H:%M") + delta
    except ValueError:
        return None
    return moved.strftime("%Y-%m-%d") + sep + moved.strftime("%H:%M") + rest


def _rewrite(
    value: Any, numbers: Mapping[str, str], delta: timedelta, fresh_ids: dict[str, str]
) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out[key] = _rewrite(item, numbers, delta, fresh_ids)
        _shift_compact_pairs(value, out, delta)
        return out
    if isinstance(value, list):
        return [_rewrite(item, numbers, delta, fresh_ids) for item in value]
    if isinstance(value, str):
        fresh = numbers.get(normalize_tracking_number(value))
        if fresh is not None:
            return fresh
        for original, replacement in numbers.items():
            if original in value:
                value = value.replace(original, replacement)
        shifted = _shift_iso(value, delta)
        return value if shifted is None else shifted
    return value


def _shift_compact_pairs(source: dict[str, Any], out: dict[str, Any], delta: timedelta) -> None:
    """`xDate: YYYYMMDD` (+ `xTime: HHMMSS` beside it) moved together (UPS Track Alert)."""
    for key, value in source.items():
        if not (key.endswith("Date") and isinstance(value, str) and _COMPACT_DATE.match(value)):
            continue
        time_key = key[: -len("Date")] + "Time"
        clock = source.get(time_key)
        if isinstance(clock, str) and _COMPACT_TIME.match(clock):
            moved = datetime.strptime(value + clock, "%Y%m%d%H%M%S") + delta
            out[key], out[time_key] = moved.strftime("%Y%m%d"), moved.strftime("%H%M%S")
        else:
            day = datetime.strptime(value, "%Y%m%d") + timedelta(days=round(delta / DAY))
            out[key] = day.strftime("%Y%m%d")


def _set_path(payload: Any, path: Sequence[str], value: str) -> None:
    node = payload
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if isinstance(node, dict) and path[-1] in node:
        node[path[-1]] = value


def normalized(provider: str, body: bytes) -> list[ShipmentStatusEvent]:
    """What the normalizer makes of `body` (the same pure function the service runs)."""
    return normalize(envelope_for(provider, body.decode("utf-8"), datetime.now(UTC)))


def retarget(
    template: Template, numbers: Mapping[str, str], latest_at: datetime, *, delivery_id: str
) -> bytes:
    """The fixture with fresh tracking numbers (`numbers`: original normalized → fresh) and its
    latest checkpoint at `latest_at` (to the minute, never later)."""
    original_latest = max(datetime.fromisoformat(e["occurred_at"]) for e in template.expected())
    delta = _whole_minutes(latest_at - original_latest)
    body = _render(template, numbers, delta, delivery_id)
    events = normalized(template.provider, body)
    if events:
        error = max(e.occurred_at for e in events) - latest_at
        if error > timedelta(0) or error < -timedelta(minutes=2):
            # A local time read in a zone whose offset differs at the new date (DST): correct.
            body = _render(template, numbers, _whole_minutes(delta - error), delivery_id)
    return body


def _whole_minutes(delta: timedelta) -> timedelta:
    # Whole seconds: sends 40 s apart must keep their order; formats with minute precision
    # drop the seconds when written (earlier, never later).
    return timedelta(seconds=delta // timedelta(seconds=1))


def _render(
    template: Template, numbers: Mapping[str, str], delta: timedelta, delivery_id: str
) -> bytes:
    payload = _rewrite(template.payload(), numbers, delta, {})
    for path in _DELIVERY_IDS.get(template.provider, ()):
        _set_path(payload, path, delivery_id)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def suivi_body(
    carrier: str, tracking_number: str, events: Sequence[Mapping[str, Any]], *, delivery_id: str
) -> bytes:
    """A body in Suivi's own format (docs/webhooks.md)."""
    payload = {
        "delivery_id": delivery_id,
        "carrier": carrier,
        "tracking_number": tracking_number,
        "events": list(events),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def delivery_id() -> str:
    return f"demo_{uuid.uuid4().hex}"


# --- signatures ------------------------------------------------------------------------------

Signer = Callable[[bytes, str], dict[str, str]]


def _timestamped(body: bytes, secret: str) -> dict[str, str]:
    return suivi_headers(body, secret, int(time.time()))


# provider → (environment variable of its credential, signer from suivi_ingest.testing.signers)
SIGNERS: dict[str, tuple[str, Signer]] = {
    "easypost": ("SUIVI_INGEST_EASYPOST_SECRET", easypost_headers),
    "aftership": ("SUIVI_INGEST_AFTERSHIP_SECRET", aftership_headers),
    "shippo": (
        "SUIVI_INGEST_SHIPPO_SECRET",
        lambda body, secret: shippo_headers(body, secret, int(time.time())),
    ),
    "suivi": ("SUIVI_INGEST_SUIVI_SECRET", _timestamped),
    "17track": ("SUIVI_INGEST_SEVENTEENTRACK_SECRET", seventeentrack_headers),
    "ups": ("SUIVI_INGEST_UPS_CREDENTIAL", ups_headers),
    "fedex": ("SUIVI_INGEST_FEDEX_SECRET", fedex_headers),
    "dhl": ("SUIVI_INGEST_DHL_TOKEN", dhl_headers),
    "usps": ("SUIVI_INGEST_USPS_SECRET", _timestamped),
    "laposte": ("SUIVI_INGEST_LAPOSTE_SECRET", _timestamped),
    # Issue 17's carriers, relayed like La Poste.
    **{
        slug: (f"SUIVI_INGEST_{BY_SLUG[slug].ident.upper()}_SECRET", _timestamped)
        for slug in RELAYED_NUMBERS
    },
}


def signed_request(
    provider: str, body: bytes, env: Mapping[str, str]
) -> tuple[str, dict[str, str]]:
    """(path with query, headers) of `body` POSTed by `provider`, signed with the first of the
    credentials configured in `env` (as ingest reads them)."""
    variable, signer = SIGNERS[provider]
    secret = _first(env.get(variable))
    if secret is None:
        raise LookupError(f"{variable} is not set: ingest would refuse {provider} webhooks")
    headers = {"Content-Type": "application/json", **signer(body, secret)}
    path = f"/v1/webhooks/{provider}"
    token = _first(env.get("SUIVI_INGEST_SHIPPO_TOKEN")) if provider == "shippo" else None
    if token is not None:
        path += f"?token={token}"
    return path, headers


def _first(value: str | None) -> str | None:
    if not value:
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    return parts[0] if parts else None
