"""Server-rendered HTML: the status pages, their live fragment, the lookup form.

Everything a page needs is inline (CSS, a little JS) and allowed by a nonce-based Content
Security Policy; no external asset is ever referenced, so opening a status page tells no third
party anything. Pages carry `Referrer-Policy: no-referrer` (their URL is a secret) and are
never cached or indexed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from suivi_projections.query.views import OrderView
from suivi_projections.web.pages.build import private_details, public_order
from suivi_projections.web.pages.content import Brand, PrivateDetails, PublicOrder
from suivi_projections.web.pages.i18n import NAMES, SUPPORTED, Translator, choose_language, zone
from suivi_schemas.contrast import readable
from suivi_schemas.merchants import Branding

TEMPLATES = Environment(
    loader=PackageLoader("suivi_projections.web.pages", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class Html:
    body: str
    headers: dict[str, str]


def security_headers(nonce: str, image_origin: str | None = None) -> dict[str, str]:
    """`image_origin`: the shop logo's https origin, the one other place a page loads from."""
    images = f"'self' data: {image_origin}" if image_origin else "'self' data:"
    csp = (
        "default-src 'none'; "
        f"style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        f"connect-src 'self'; img-src {images}; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "X-Robots-Tag": "noindex, nofollow",
        "Cache-Control": "no-store",
    }


def translator(
    order: OrderView | None,
    *,
    lang: str | None,
    accept: str | None,
    now: datetime | None = None,
    branding: Branding | None = None,
) -> Translator:
    """The shopper's choice (`?lang=`, remembered: pages.language), the order's locale, the
    browser's, then the shop's default language (its branding)."""
    language = choose_language(
        override=lang,
        order_locale=order.locale if order else None,
        accept=accept,
        shop=branding.language if branding else None,
    )
    return Translator(language, zone(order.timezone if order else None), now)


def _https(url: str | None) -> str | None:
    return url if url and url.startswith("https://") and urlsplit(url).hostname else None


def _render(template: str, t: Translator, **context: object) -> Html:
    nonce = secrets.token_urlsafe(16)
    # The picker: every language by its own name, the current one marked.
    languages = tuple((code, NAMES.get(code, code)) for code in SUPPORTED)
    body = TEMPLATES.get_template(template).render(
        t=t, lang=t.language, nonce=nonce, languages=languages, **context
    )
    brand = context.get("brand")
    logo = brand.logo_url if isinstance(brand, Brand) else None
    origin = f"https://{urlsplit(logo).netloc}" if logo else None
    return Html(body, security_headers(nonce, origin))


def render_private(
    order: OrderView,
    t: Translator,
    *,
    fragment: bool = False,
    shop: str | None = None,
    brand: Brand | None = None,
    aftersales: str | None = None,
) -> Html:
    """The shopper's own page: progress, parcels and their personal details; with links to its
    return and claim pages when after-sales serves them (`aftersales`: its base URL)."""
    links = f"{aftersales.rstrip('/')}/orders/{order.status_token}" if aftersales else None
    return _page(
        public_order(order, t, shared=False, shop=shop),
        private_details(order),
        t,
        live_base=f"/orders/{order.status_token}",
        share_url=f"/s/{order.share_token}",
        fragment=fragment,
        brand=brand,
        aftersales_url=links,
    )


def brand_of(branding: Branding | None) -> Brand | None:
    """The shop's branding as the pages show it: its colour darkened until 4.5:1 on white."""
    if branding is None:
        return None
    return Brand(
        colour=readable(branding.colour),
        contact_email=branding.contact_email,
        contact_url=branding.contact_url
        if branding.contact_url and branding.contact_url.startswith("https://")
        else None,
        message=branding.message or None,
        logo_url=_https(branding.logo_url),
        return_policy_url=_https(branding.return_policy_url),
    )


def render_shared(
    order: PublicOrder,
    t: Translator,
    *,
    share_token: str,
    fragment: bool,
    brand: Brand | None = None,
) -> Html:
    """The shareable page: built from a `PublicOrder` only, so no personal data can reach it.
    Callers build it with `public_order(view, t, shared=True)`."""
    return _page(
        order, None, t, live_base=f"/s/{share_token}", share_url=None, fragment=fragment,
        brand=brand,
    )  # fmt: skip


def _page(
    order: PublicOrder,
    private: PrivateDetails | None,
    t: Translator,
    *,
    live_base: str,
    share_url: str | None,
    fragment: bool,
    brand: Brand | None = None,
    aftersales_url: str | None = None,
) -> Html:
    return _render(
        "_order.html" if fragment else "order.html",
        t,
        order=order,
        private=private,
        live_base=live_base,
        share_url=share_url,
        brand=brand,
        aftersales_url=aftersales_url,
    )


def render_lookup(
    t: Translator,
    *,
    merchant_id: str | None,
    order_number: str = "",
    error: str | None = None,
    fixed_merchant: bool = False,
    shop_name: str | None = None,
    shops: tuple[tuple[str, str], ...] = (),
    signin: dict[str, str] | None = None,
) -> Html:
    """The form; a shop's own form names the shop, the general one offers a picker of
    `shops` (id, name) when there are some, else a field for the shop's id. `signin`: the
    dashboard's sign-in form (merchant_id, csrf), on a shop's own form."""
    return _render(
        "lookup.html",
        t,
        signin=signin,
        merchant_id=merchant_id or "",
        fixed_merchant=fixed_merchant,
        order_number=order_number,
        error=error,
        shop_name=shop_name,
        shops=shops,
    )


# The help page's topics (its anchors: a concern links to /help#<topic>) and statuses.
HELP_TOPICS = ("late", "stalled", "pickup", "returned")
HELP_STATUSES = (
    "info_received", "in_transit", "out_for_delivery", "available_for_pickup",
    "delivery_attempt_failed", "exception", "returning_to_sender", "returned_to_sender",
    "delivered",
)  # fmt: skip


def render_help(t: Translator) -> Html:
    """What the statuses mean and what to do when late, silent, at a pickup point or back."""
    return _render("help.html", t, topics=HELP_TOPICS, statuses=HELP_STATUSES)


def render_not_found(t: Translator) -> Html:
    return _render("message.html", t, title=t("notfound.title"), text=t("notfound.text"))
