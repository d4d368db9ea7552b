"""Merchant delivery analytics: `GET /v1/merchant/analytics` (JSON, Bearer key) and
`GET /merchant/analytics` (the same figures as a server-rendered page with inline SVG charts).

The page also takes HTTP Basic with the API key as the password (any user name), so that a
browser can open it: without a key it answers 401 with a Basic challenge. It shows aggregates
only (carriers, countries and regions, carrier locations), never a customer's details.
"""

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response
from markupsafe import Markup

from suivi_infra.http import ErrorBody, documented
from suivi_projections.query.analytics import MerchantAnalytics
from suivi_projections.web.deps import AnalyticsDep, ContextDep, TodayDep
from suivi_projections.web.pages.charts import Bar, Point, bar_chart, column_chart, line_chart
from suivi_projections.web.pages.render import TEMPLATES, security_headers
from suivi_projections.web.responses import error_response

MAX_DAYS = 366
DEFAULT_DAYS = 30
BASIC_CHALLENGE = 'Basic realm="Suivi merchant"'
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PRIVATE = {"Cache-Control": "no-store"}


FromDay = Annotated[
    str | None,
    Query(alias="from", description="First day (UTC), YYYY-MM-DD, included; default: 29 days "
          "before `to`."),
]  # fmt: skip
ToDay = Annotated[
    str | None,
    Query(alias="to", description="Last day (UTC), YYYY-MM-DD, included; default: today."),
]


class RangeError(ValueError):
    """The requested range is not usable; the message says why, for the caller."""


def _day(name: str, value: str) -> date:
    try:
        if not _ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise RangeError(f"'{name}' is not a date: expected YYYY-MM-DD") from None


def parse_range(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """`from`/`to` (both included, UTC days; empty = absent) → (first, last). Without `to`:
    today; without `from`: the 30 days ending at `to`."""
    last = _day("to", end) if end else today
    first = _day("from", start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise RangeError(f"'from' ({first}) is after 'to' ({last})")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise RangeError(f"the range spans {days} days; at most {MAX_DAYS}")
    return first, last


def presented_key(authorization: str | None, *, basic: bool) -> str | None:
    """The API key of an `Authorization` header: Bearer, or (`basic`) Basic's password."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if not basic or scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, sep, password = decoded.partition(":")
    return password if sep and password else None


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} d"


def _share(part: int, rate: float | None, whole: int) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} % ({part}/{whole})"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


def _place(city: str | None, country: str | None) -> str:
    return ", ".join(p for p in (city, country) if p) or "Unknown place"


def charts(found: MerchantAnalytics) -> dict[str, Markup]:
    """The page's inline SVG charts, by name."""
    carriers = [
        Bar(c.carrier, c.median_days or 0.0, f"{_days(c.median_days)} · p90 {_days(c.p90_days)}",
            c.p90_days)
        for c in found.by_carrier
    ]  # fmt: skip
    places = [Bar(_place(p.city, p.country), p.stalls, str(p.stalls)) for p in found.stall_places]
    return {
        "carriers": bar_chart("Median delivery time per carrier (tick: 90th pct.)", carriers),
        "deliveries": column_chart(
            "Deliveries per day", [Point(p.day.isoformat(), p.deliveries) for p in found.daily]
        ),
        "median": line_chart(
            "Median delivery time per day",
            [Point(p.day.isoformat(), p.median_days) for p in found.daily],
            unit=" d",
        ),
        "places": bar_chart("Stalled episodes by place", places),
    }


def render_page(
    merchant_id: str,
    first: str,
    last: str,
    found: MerchantAnalytics | None,
    error: str | None = None,
) -> tuple[str, dict[str, str]]:
    """The page's HTML and its headers (nonce-based CSP, no-store, no referrer)."""
    nonce = secrets.token_urlsafe(16)
    body = TEMPLATES.get_template("analytics.html").render(
        lang="en", nonce=nonce, merchant_id=merchant_id, first_day=first, last_day=last,
        found=found, charts=charts(found) if found else {}, error=error,
        days=_days, share=_share, pct=_pct, max_days=MAX_DAYS,
    )  # fmt: skip
    return body, security_headers(nonce)


# The JSON route and the page; without an analytics source (a fake read model) both answer 503.
router = APIRouter(tags=["merchant"])


@dataclass
class _Asked:
    """What both routes take (a dependency): the caller's context, the source, today's date
    and the requested range."""

    ctx: ContextDep
    source: AnalyticsDep
    today: TodayDep
    request: Request
    start: FromDay = None
    end: ToDay = None

    def merchant(self, *, basic: bool) -> str | Response:
        """The merchant of the presented key, or the 401 asking for one (Basic too on the page)."""
        key = presented_key(self.request.headers.get("authorization"), basic=basic)
        found = self.ctx.merchant_for_key(key) if key else None
        if found is not None:
            return found
        # A browser's first visit never carries a key: only a wrong key counts as a failure.
        if key or not basic:
            self.ctx.metrics.merchant_auth_failures.inc()
        challenge = BASIC_CHALLENGE if basic else "Bearer"
        return error_response(
            401, "unauthorized", "missing or unknown API key", {"WWW-Authenticate": challenge}
        )

    def days(self) -> tuple[date, date]:
        """The range asked for; raises `RangeError`."""
        return parse_range(self.start, self.end, self.today)

    async def read(self, merchant_id: str, first: date, last: date) -> MerchantAnalytics | str:
        """The figures, or why there are none (no source, or too slow)."""
        if self.source is None:
            return "analytics are not available on this read model"
        try:
            return await self.source.merchant_analytics(merchant_id, first, last)
        except asyncpg.QueryCanceledError:
            return "the figures took too long to compute; try a shorter range"


AskedDep = Annotated[_Asked, Depends()]


@router.get(
    "/v1/merchant/analytics",
    response_model=MerchantAnalytics,
    summary="Delivery analytics over a range of days (see the page for the definitions)",
    responses=documented(
        {
            400: "Malformed, reversed or too long range.",
            401: "Missing or unknown API key.",
            503: "Analytics unavailable or too slow.",
        }
    ),
)
async def analytics_json(asked: AskedDep, response: Response) -> Any:
    merchant_id = asked.merchant(basic=False)
    if isinstance(merchant_id, Response):
        return merchant_id
    try:
        first, last = asked.days()
    except RangeError as problem:
        return error_response(400, "invalid_range", str(problem))
    found = await asked.read(merchant_id, first, last)
    if isinstance(found, str):
        return error_response(503, "unavailable", found, {"Retry-After": "30"})
    response.headers.update(_PRIVATE)
    return found


@router.get(
    "/merchant/analytics",
    summary="The analytics page (HTML); Bearer or Basic (the API key as password)",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}}, "description": "The page."},
        400: {"content": {"text/html": {}}, "description": "The form, saying what is wrong."},
        401: {"model": ErrorBody, "description": "Missing or unknown key (Basic challenge)."},
        503: {
            "content": {"text/html": {}},
            "description": "Analytics unavailable or too slow.",
        },
    },
)
async def analytics_page(asked: AskedDep) -> Response:
    merchant_id = asked.merchant(basic=True)
    if isinstance(merchant_id, Response):
        return merchant_id
    try:
        first, last = asked.days()
    except RangeError as problem:
        shown = (asked.start or "")[:10], (asked.end or "")[:10]
        body, headers = render_page(merchant_id, *shown, None, str(problem))
        return Response(body, 400, headers, media_type="text/html")
    found = await asked.read(merchant_id, first, last)
    error, status = (found, 503) if isinstance(found, str) else (None, 200)
    body, headers = render_page(
        merchant_id, first.isoformat(), last.isoformat(),
        None if isinstance(found, str) else found, error,
    )  # fmt: skip
    return Response(body, status, headers, media_type="text/html")
